// Runs every golden case in fixtures/ against the Node package (SPEC.md "Parity fixtures").
// fixtures/expected-failures.json lists known gaps; a listed case must still fail.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  type BundleVerification,
  CoreSdkError,
  canonicalizeJson,
  type Decision,
  hashJson,
  Masker,
  type MaskerOptions,
  PolicyEngine,
  TokenVerifier,
  verifyAuditLog,
} from '../src/index.js';

const FIXTURES = process.env.CORESDK_FIXTURES ?? resolve(__dirname, '../../../fixtures');

interface Case {
  id: string;
  description: string;
  op: string;
  args: Record<string, any>;
  expect: Record<string, unknown>;
}

/** Every `*.json` below `dir`, recursively, in path order. */
function jsonFiles(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) return jsonFiles(path);
      return name.endsWith('.json') ? [path] : [];
    });
}

const NOT_CASES = new Set(['schema.json', 'expected-failures.json']);
/** Folders with their own format and runner: host-values/ (host-values.test.ts), cli/ (cli.test.ts). */
const OWN_RUNNERS = ['host-values', 'cli'].map((name) => `${join(FIXTURES, name)}/`);

function loadCases(): Case[] {
  return jsonFiles(FIXTURES)
    .filter((path) => !NOT_CASES.has(basename(path)) && !OWN_RUNNERS.some((dir) => path.startsWith(dir)))
    .flatMap((path) => {
      const doc = JSON.parse(readFileSync(path, 'utf8'));
      return Array.isArray(doc) ? doc : [doc];
    });
}

/** Known gaps of the Node runner (fixtures/expected-failures.json, when present). */
function knownFailures(): Record<string, string> {
  const path = join(FIXTURES, 'expected-failures.json');
  if (!existsSync(path)) return {};
  return JSON.parse(readFileSync(path, 'utf8')).node ?? {};
}

function maskerOptions(args: Record<string, any>): MaskerOptions {
  const o = args.options ?? {};
  return {
    strategy: o.strategy,
    key: o.key,
    keyId: o.key_id,
    sensitiveKeys: o.sensitive_keys,
    keep: o.keep,
    strategies: o.strategies,
    allow: o.allow,
    customDetectors: o.custom_detectors,
    paths: o.paths,
  };
}

function engineFor(args: Record<string, any>): PolicyEngine {
  const o = args.options ?? {};
  const engine = new PolicyEngine({
    timeoutMs: o.timeout_ms,
    strictBuiltinErrors: o.strict_builtin_errors,
    failOpen: o.fail_open,
  });
  engine.addModules(args.modules ?? {});
  if ('data' in args) engine.addData(args.data);
  return engine;
}

function inputJson(args: Record<string, any>): string {
  if (typeof args.input_json === 'string') return args.input_json;
  return 'input' in args ? JSON.stringify(args.input) : '{}';
}

/** A decision as `result` or `undefined`, plus the revisions when the case asks for them. */
function decisionValue(d: Decision, expected: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = d.defined ? { result: d.result } : { undefined: true };
  if ('revision' in expected) out.revision = d.revision;
  if ('bundle_revision' in expected) out.bundle_revision = d.bundleRevision;
  return out;
}

function verification(v: Record<string, any> | undefined): BundleVerification | undefined {
  if (v === undefined) return undefined;
  return { algorithm: v.algorithm, publicKey: v.public_key, secret: v.secret, keyId: v.key_id, scope: v.scope };
}

function verifierFor(a: Record<string, any>): TokenVerifier {
  return new TokenVerifier({
    jwks: a.jwks,
    keys: a.keys?.map((k: Record<string, string>) => ({
      algorithm: k.algorithm,
      publicKey: k.public_key,
      secret: k.secret,
      keyId: k.key_id,
    })),
    issuers: a.issuers,
    audiences: a.audiences,
    requiredClaims: a.required_claims,
    leewaySeconds: a.leeway_seconds,
  });
}

/** An `authorize_request` answer with the keys `expect` names; a problem's decision id is `<decision id>`. */
function authorizeRequest(a: Record<string, any>, expected: Record<string, unknown>): Record<string, unknown> {
  const r = a.request;
  const o = a.request_options ?? {};
  const answer = engineFor(a).authorizeRequestSync(
    verifierFor(a),
    a.rule,
    { method: r.method, target: r.target, headers: r.headers, clientAddress: r.client_address },
    { includeHeaders: o.include_headers, tokenOptional: o.token_optional },
  );
  const problem: Record<string, unknown> | null = answer.problem ? { ...answer.problem } : null;
  if (problem && 'decision_id' in problem) problem.decision_id = '<decision id>';
  const all: Record<string, unknown> = {
    status: answer.status,
    allowed: answer.allowed,
    result: answer.decision?.defined ? answer.decision.result : null,
    claims: answer.claims,
    input: answer.input,
    problem,
    www_authenticate: answer.wwwAuthenticate,
    error: answer.error?.code ?? null,
  };
  return Object.fromEntries(Object.entries(all).filter(([k]) => k in expected));
}

/** What a case produced, in the shape of its `expect` block. */
export function run(c: Case): unknown {
  const a = c.args;
  const expected = c.expect as Record<string, unknown>;
  try {
    switch (c.op) {
      case 'evaluate':
        return decisionValue(engineFor(a).evaluateJsonSync(a.path, inputJson(a)), expected);
      case 'allowed': {
        const engine = engineFor(a);
        const allowed = engine.allowedSync(a.path, a.input);
        return { allowed, fail_mode_count: engine.failModeCount };
      }
      case 'bundle_evaluate': {
        const engine = new PolicyEngine();
        engine.loadBundlePath(join(FIXTURES, a.bundle), { verification: verification(a.verification) });
        return decisionValue(engine.evaluateJsonSync(a.path, inputJson(a)), expected);
      }
      case 'authenticate':
        return { claims: verifierFor(a).authenticate(a.token) };
      case 'authorize_request':
        return authorizeRequest(a, expected);
      case 'audit_verify':
        return verifyAuditLog(readFileSync(join(FIXTURES, a.log)), a.key, { expectedHead: a.expected_head });
      case 'query':
        return { rows: engineFor(a).queryJsonSync(a.query, inputJson(a)).rows };
      case 'mask_text':
        return { text: new Masker(maskerOptions(a)).maskText(a.text) };
      case 'mask_value':
        return { value: new Masker(maskerOptions(a)).maskValue(a.value) };
      case 'scan':
        return {
          findings: new Masker(maskerOptions(a)).scan(a.text).map((f) => ({
            type: f.type,
            start: f.start,
            end: f.end,
            start_utf16: f.startUtf16,
            end_utf16: f.endUtf16,
          })),
        };
      case 'canonicalize':
        return { canonical: canonicalizeJson(a.json), sha256: hashJson(a.json) };
      default:
        throw new Error(`unknown op ${c.op}`);
    }
  } catch (e) {
    if (!(e instanceof CoreSdkError)) throw e;
    return e.location ? { error: e.code, location: e.location } : { error: e.code };
  }
}

const cases = loadCases();
const known = knownFailures();

describe('golden fixtures', () => {
  it('has cases, with unique ids', () => {
    expect(cases.length).toBeGreaterThan(0);
    expect(new Set(cases.map((c) => c.id)).size).toBe(cases.length);
  });

  it('lists only existing cases as expected failures', () => {
    const ids = new Set(cases.map((c) => c.id));
    expect(Object.keys(known).filter((id) => !ids.has(id))).toEqual([]);
  });

  for (const c of cases) {
    if (c.id in known) {
      it(`${c.id} (expected failure: ${known[c.id]})`, () => {
        // The runner itself must work: a crash is a failure, only a different answer is the gap.
        const got = run(c);
        expect(got).not.toEqual(c.expect);
      });
    } else {
      it(c.id, () => {
        expect(run(c)).toEqual(c.expect);
      });
    }
  }
});
