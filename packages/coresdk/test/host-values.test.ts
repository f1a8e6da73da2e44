// Runs fixtures/host-values/cases.json against the Node package (docs/HOST-VALUES.md):
// builds each JavaScript value from its symbolic description and asserts the one outcome.
// bindings/python/tests/test_host_values.py runs the same file against Python.
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog, CoreSdkError, canonicalize, hash, Masker, PolicyEngine } from '../src/index.js';

const FIXTURES = process.env.CORESDK_FIXTURES ?? resolve(__dirname, '../../../fixtures');

type Outcome = { error?: string; output?: unknown; output_sha256?: string };

interface Case {
  id: string;
  languages: string[];
  op: 'canonicalize' | 'hash' | 'mask' | 'evaluate' | 'audit' | 'maskText';
  value: Symbolic;
  expect: Outcome;
  expect_by_language?: { node?: Outcome; python?: Outcome };
  note: string;
}

type Symbolic = { kind: string; [field: string]: any };

/** The JavaScript value a symbolic description stands for. */
export function build(v: Symbolic): unknown {
  switch (v.kind) {
    case 'json':
      return v.value;
    case 'object':
      return Object.fromEntries(Object.entries(v.entries as Record<string, Symbolic>).map(([k, x]) => [k, build(x)]));
    case 'array':
      return (v.items as Symbolic[]).map(build);
    case 'nan':
      return NaN;
    case 'infinity':
      return Infinity;
    case '-infinity':
      return -Infinity;
    case 'float':
      return Number(v.text);
    case 'cycle': {
      if (v.via === 'array') {
        const a: unknown[] = [];
        a.push(a);
        return a;
      }
      const o: Record<string, unknown> = {};
      o.self = o;
      return o;
    }
    case 'bigint':
      return BigInt(v.value);
    case 'bytes':
      return Buffer.from(v.hex, 'hex');
    case 'uint8array':
      return new Uint8Array(Buffer.from(v.hex, 'hex'));
    case 'map':
      return new Map((v.entries as [Symbolic, Symbolic][]).map(([k, x]) => [build(k), build(x)]));
    case 'set':
      return new Set((v.items as Symbolic[]).map(build));
    case 'undefined':
      return undefined;
    case 'date':
      return new Date(v.iso);
    case 'function':
      return () => 1;
    case 'symbol':
      return Symbol('s');
    case 'instance': {
      class Instance {}
      return Object.assign(new Instance(), v.attributes);
    }
    case 'repeat':
      return (v.text as string).repeat(v.count);
    case 'nested': {
      let value: unknown[] = [];
      for (let i = 1; i < v.depth; i++) value = [value];
      return value;
    }
    default:
      throw new Error(`no JavaScript value for kind ${v.kind}`);
  }
}

const masker = new Masker();
const engine = new PolicyEngine();
engine.addModules({ 'hv.rego': 'package hv\n\nmarshalled := json.marshal(input)\n' });

/** Appends a decision for `input` to a fresh audit log; the record's (masked) input. */
function auditInput(input: unknown): unknown {
  const dir = mkdtempSync(join(tmpdir(), 'coresdk-hv-'));
  try {
    const path = join(dir, 'audit.jsonl');
    const log = AuditLog.open(path, { key: 'k'.repeat(32) });
    log.append(engine.evaluateSync('data.hv.marshalled', {}), 'data.hv.marshalled', input);
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    return (JSON.parse(lines.at(-1) ?? 'null') as { input: unknown }).input;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs one operation; what it throws propagates (only a CoreSdkError is an outcome). */
function run(op: Case['op'], value: unknown): unknown {
  switch (op) {
    case 'canonicalize':
      return canonicalize(value);
    case 'hash':
      return hash(value);
    case 'mask':
      return masker.maskValue(value);
    case 'maskText':
      return masker.maskText(value as string);
    case 'audit':
      return auditInput(value);
    case 'evaluate': {
      const d = engine.evaluateSync('data.hv.marshalled', value);
      if (!d.defined) throw new Error('the policy result is undefined');
      return d.result;
    }
  }
}

/** The outcome of one operation: its output, or the code of the CoreSdkError it threw. */
function outcomeOf(c: Case): Outcome {
  const value = build(c.value);
  try {
    return { output: run(c.op, value) };
  } catch (e) {
    if (!(e instanceof CoreSdkError)) throw e; // anything else fails the case
    expect(e.message.startsWith(`${e.code}: `)).toBe(true);
    return { error: e.code };
  }
}

const cases = (JSON.parse(readFileSync(resolve(FIXTURES, 'host-values/cases.json'), 'utf8')) as Case[]).filter((c) =>
  c.languages.includes('node'),
);

describe('host values (fixtures/host-values)', () => {
  it('has cases', () => expect(cases.length).toBeGreaterThan(100));

  it.each(cases.map((c) => [c.id, c] as const))('%s', (_id, c) => {
    const want = c.expect_by_language?.node ?? c.expect;
    const got = outcomeOf(c);
    if (want.error !== undefined) {
      expect(got).toEqual({ error: want.error });
    } else if (want.output_sha256 !== undefined) {
      expect(got.error).toBeUndefined();
      expect(typeof got.output).toBe('string');
      expect(
        createHash('sha256')
          .update(got.output as string, 'utf8')
          .digest('hex'),
      ).toBe(want.output_sha256);
    } else {
      expect(got.error).toBeUndefined();
      expect(got.output).toEqual(want.output);
    }
  });
});
