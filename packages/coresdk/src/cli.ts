/**
 * The `coresdk` command line: evaluate a policy, mask a document, hash a document, verify
 * an audit log, scan files for PII and secrets.
 *
 *   coresdk eval <query> [--input <file|->] [--policy <dir|file>] [--data <file>] [--bundle <file|dir>] [--v0-compatible]
 *   coresdk mask [<file>|-]
 *   coresdk hash [<file>|-] [--canonical]
 *   coresdk audit verify <file> --key-file <keys.json> [--key-id <id>] [--head <hash>]
 *   coresdk scan <path>... [--format ndjson|sarif] [--baseline <file>] [--output <file>]
 *
 * Without --policy, `eval` uses the example RBAC policy and data shipped in the package.
 * Python's `coresdk` (bindings/python/python/coresdk/cli.py) is the same command: the same
 * flags, output and exit codes, tested with the same cases (fixtures/cli/cases.json).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  CoreSdkError,
  canonicalizeJson,
  hashJson,
  Masker,
  PolicyEngine,
  type ScanFormat,
  scanPaths,
  verifyAuditLog,
  version,
} from './index.js';

const EXAMPLE_DIR = fileURLToPath(new URL('../examples/rbac/', import.meta.url));
const RULE_PATH = /^data(\.[A-Za-z_][A-Za-z0-9_]*)+$/;

const USAGE = `coresdk ${version}: in-process policy and privacy engine

usage:
  coresdk eval <query> [--input <file|->] [--policy <dir|file>] [--data <file>]
                      [--bundle <file.tar.gz|dir>] [--v0-compatible]
      Evaluate a rule path (data.rbac.allow) or any Rego query against an input.
      --bundle loads an OPA bundle instead of --policy/--data.
      --v0-compatible parses policies as Rego v0 (as OPA's flag of that name) unless a
      bundle manifest says otherwise.
      Without --policy or --bundle, the built-in example RBAC policy and its data are used.
  coresdk mask [<file>|-]
      Mask PII and secrets. JSON is masked as a value (keys too); other text as text.
  coresdk hash [<file>|-] [--canonical]
      SHA-256 of the RFC 8785 canonical form of a JSON document.
  coresdk audit verify <file> --key-file <keys.json> [--key-id <id>] [--head <hash>]
      Verify an audit log with key <id> (default audit) of a key file, as
      AuditLog opens one (JSON, readable by its owner only: chmod 600). Prints the
      report; exit 0 when intact, 1 at the first edited, deleted, inserted,
      reordered or truncated record.
  coresdk scan <path>... [--format ndjson|sarif] [--baseline <file>] [--output <file>]
      Scan files and directories (recursively) for PII and secrets, as a CI gate.
      Prints one finding per line (NDJSON) or a SARIF 2.1.0 log, to stdout or
      --output: type, file, line, column and fingerprint, never the value; counts
      go to stderr. --baseline leaves out the findings of an earlier NDJSON output.
      Exit 0 when nothing is found, 1 when something is.
  coresdk --version | help`;

class UsageError extends Error {}

/** Flags that take no value. */
const BOOLEAN_FLAGS = new Set(['canonical', 'help', 'version', 'v0-compatible']);

interface Parsed {
  positional: string[];
  flags: Map<string, string | true>;
}

function parse(argv: string[]): Parsed {
  const positional: string[] = [];
  const flags = new Map<string, string | true>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg.startsWith('--') && arg.length > 2) {
      const [name, inline] = arg.slice(2).split('=', 2) as [string, string | undefined];
      if (BOOLEAN_FLAGS.has(name)) flags.set(name, true);
      else if (inline !== undefined) flags.set(name, inline);
      else {
        const next = argv[++i];
        if (next === undefined) throw new UsageError(`--${name} needs a value`);
        flags.set(name, next);
      }
    } else positional.push(arg);
  }
  return { positional, flags };
}

/** The bytes of `path` (`-` or none: stdin); `SOURCE_UNAVAILABLE` naming the errno code (`ENOENT`), as Python's CLI does. */
function readSource(path: string | undefined): Buffer {
  try {
    return path === undefined || path === '-' ? readFileSync(0) : readFileSync(path);
  } catch (e) {
    throw new CoreSdkError(
      'SOURCE_UNAVAILABLE',
      `cannot read ${path ?? 'stdin'}: ${(e as NodeJS.ErrnoException).code ?? 'EIO'}`,
    );
  }
}

function flag(parsed: Parsed, name: string): string | undefined {
  const value = parsed.flags.get(name);
  return typeof value === 'string' ? value : undefined;
}

function evalCommand(parsed: Parsed): string {
  const [query, ...rest] = parsed.positional;
  if (!query || rest.length > 0) throw new UsageError('eval takes exactly one query');
  for (const name of parsed.flags.keys()) {
    if (!['input', 'policy', 'data', 'bundle', 'v0-compatible'].includes(name))
      throw new UsageError(`unknown option --${name}`);
  }
  const engine = new PolicyEngine({ regoVersion: parsed.flags.has('v0-compatible') ? 0 : 1 });
  const bundle = flag(parsed, 'bundle');
  if (bundle !== undefined) {
    if (parsed.flags.has('policy') || parsed.flags.has('data')) {
      throw new UsageError('--bundle replaces --policy and --data');
    }
    engine.loadBundlePath(bundle);
  } else {
    const policy = flag(parsed, 'policy');
    const data = flag(parsed, 'data') ?? (policy === undefined ? `${EXAMPLE_DIR}data.json` : undefined);
    engine.addPath(policy ?? `${EXAMPLE_DIR}policy.rego`);
    if (data !== undefined) engine.addDataJson(readSource(data));
  }
  const inputFlag = flag(parsed, 'input');
  const input = inputFlag === undefined ? Buffer.from('{}') : readSource(inputFlag);
  if (RULE_PATH.test(query)) {
    const d = engine.evaluateJsonSync(query, input);
    const { result, defined, revision, bundleRevision, decisionId } = d;
    return JSON.stringify({ result, defined, revision, bundleRevision, decisionId }, null, 2);
  }
  const q = engine.queryJsonSync(query, input);
  return JSON.stringify({ rows: q.rows, revision: q.revision, decisionId: q.decisionId }, null, 2);
}

function maskCommand(parsed: Parsed): string {
  if (parsed.positional.length > 1 || parsed.flags.size > 0) throw new UsageError('mask takes at most one file');
  const bytes = readSource(parsed.positional[0]);
  const masker = new Masker();
  try {
    return JSON.stringify(JSON.parse(masker.maskJson(bytes)), null, 2);
  } catch (e) {
    if (e instanceof CoreSdkError && e.code === 'INVALID_JSON') return masker.maskText(bytes);
    throw e;
  }
}

function hashCommand(parsed: Parsed): string {
  if (parsed.positional.length > 1) throw new UsageError('hash takes at most one file');
  for (const name of parsed.flags.keys()) if (name !== 'canonical') throw new UsageError(`unknown option --${name}`);
  const bytes = readSource(parsed.positional[0]);
  const digest = hashJson(bytes);
  return parsed.flags.has('canonical') ? `${digest}\n${canonicalizeJson(bytes)}` : digest;
}

/** `audit verify`: the report, and whether the log is intact. */
function auditCommand(parsed: Parsed): { out: string; ok: boolean } {
  const [sub, file, ...rest] = parsed.positional;
  if (sub !== 'verify' || file === undefined || rest.length > 0)
    throw new UsageError('usage: audit verify <file> --key-file <keys.json>');
  for (const name of parsed.flags.keys()) {
    if (!['key-file', 'key-id', 'head'].includes(name)) throw new UsageError(`unknown option --${name}`);
  }
  const keyFile = flag(parsed, 'key-file');
  if (keyFile === undefined) throw new UsageError('audit verify needs --key-file');
  // The key store is the library's (the JSON file AuditLog's keyFile names, refused when
  // others may read it), not the file's raw bytes.
  const report = verifyAuditLog(readSource(file), undefined, {
    expectedHead: flag(parsed, 'head'),
    keyFile,
    keyId: flag(parsed, 'key-id'),
  });
  return { out: JSON.stringify(report, null, 2), ok: report.intact };
}

const SCAN_FORMATS: readonly string[] = ['ndjson', 'sarif'] satisfies ScanFormat[];

/** `scan`: writes the findings and the counts; exit 0 when none were found, 1 otherwise. */
function scanCommand(parsed: Parsed): number {
  if (parsed.positional.length === 0) throw new UsageError('scan needs at least one path');
  for (const name of parsed.flags.keys()) {
    if (!['format', 'baseline', 'output'].includes(name)) throw new UsageError(`unknown option --${name}`);
  }
  const format = flag(parsed, 'format');
  if (format !== undefined && !SCAN_FORMATS.includes(format)) throw new UsageError('--format is ndjson or sarif');
  const result = scanPaths(parsed.positional, {
    format: format as ScanFormat | undefined,
    baseline: flag(parsed, 'baseline'),
  });
  const output = flag(parsed, 'output');
  if (output === undefined) process.stdout.write(result.output);
  else {
    try {
      writeFileSync(output, result.output);
    } catch (e) {
      throw new CoreSdkError(
        'SOURCE_UNAVAILABLE',
        `cannot write ${output}: ${(e as NodeJS.ErrnoException).code ?? 'EIO'}`,
      );
    }
  }
  process.stderr.write(`coresdk: scan: ${result.summary}\n`);
  return result.findings === 0 ? 0 : 1;
}

/** Runs the CLI; returns the exit code (0 ok, 1 error or findings, 2 usage). */
export function main(argv: string[]): number {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === '-v') {
      process.stdout.write(`${version}\n`);
      return 0;
    }
    const parsed = parse(rest);
    if (command === 'audit') {
      const { out, ok } = auditCommand(parsed);
      process.stdout.write(`${out}\n`);
      return ok ? 0 : 1;
    }
    if (command === 'scan') return scanCommand(parsed);
    const commands: Record<string, (p: Parsed) => string> = { eval: evalCommand, mask: maskCommand, hash: hashCommand };
    const run = commands[command];
    if (!run) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    process.stdout.write(`${run(parsed)}\n`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`coresdk: ${e.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (e instanceof CoreSdkError) {
      const where = e.location ? ` (${e.location.file}:${e.location.line}:${e.location.column})` : '';
      process.stderr.write(
        `coresdk: ${e.code}: ${e.message
          .slice(e.code.length + 2)
          .split('\n')
          .pop()}${where}\n`,
      );
      return 1;
    }
    process.stderr.write(`coresdk: INTERNAL: ${String(e)}\n`);
    return 1;
  }
}

process.exitCode = main(process.argv.slice(2));
