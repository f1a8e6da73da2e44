import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Masker, scanPaths } from '../src/index.js';
import { codeOf } from './helpers.js';

const ROOT = resolve(__dirname, '../../..');
const CLI = resolve(__dirname, '../dist/cli.js');
const TREE = 'fixtures/cli/files/scan/tree';

function tempDir(name: string): string {
  return mkdtempSync(join(tmpdir(), `coresdk-scan-${name}-`));
}

/** The fingerprint as docs/MASKING.md defines it, computed here independently. */
const fingerprint = (type: string, file: string, value: string) =>
  createHash('sha256').update(`${type}\0${file}\0${value}`).digest('hex');

describe('scanPaths', () => {
  it('reports type, file, line, columns in code points and fingerprint, with counts', () => {
    const dir = tempDir('positions');
    writeFileSync(join(dir, 'a.txt'), 'Grüße 😀 bob@example.com\n');
    const r = scanPaths([dir]);
    const file = `${dir}/a.txt`;
    expect(JSON.parse(r.output)).toEqual({
      type: 'EMAIL',
      file,
      line: 1,
      column: 9,
      end_line: 1,
      end_column: 24,
      fingerprint: fingerprint('EMAIL', file, 'bob@example.com'),
    });
    expect(r).toMatchObject({ findings: 1, suppressed: 0, filesScanned: 1, filesLossy: 0, skippedBinary: 0 });
  });

  it('counts what it skips and takes the size limit, allow-list and custom detectors', () => {
    const dir = tempDir('options');
    writeFileSync(join(dir, 'a.txt'), 'bob@example.com EMP-123456 4111 1111 1111 1111\n');
    writeFileSync(join(dir, 'b.bin'), Buffer.from([0x61, 0, 0x62]));
    mkdirSync(join(dir, 'node_modules'));
    writeFileSync(join(dir, 'node_modules', 'x.txt'), 'alice@example.com');
    symlinkSync('/etc/hostname', join(dir, 'out'));
    const r = scanPaths([dir], {
      allow: ['4111 1111 1111 1111'],
      customDetectors: [{ type: 'EMPLOYEE_ID', pattern: 'EMP-[0-9]{6}' }],
    });
    const types = r.output
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line).type);
    expect(types).toEqual(['EMAIL', 'EMPLOYEE_ID']);
    expect(r).toMatchObject({ filesScanned: 1, skippedBinary: 1, skippedDirs: 1, skippedLinks: 1 });
    expect(scanPaths([dir], { maxFileBytes: 10 }).skippedTooLarge).toBe(1);
  });

  it('renders SARIF and suppresses a baseline', () => {
    const dir = tempDir('baseline');
    const baseline = join(dir, 'baseline.ndjson');
    writeFileSync(baseline, scanPaths([join(ROOT, TREE)]).output);
    const sarif = JSON.parse(scanPaths([join(ROOT, TREE)], { format: 'sarif', baseline }).output);
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0].results).toEqual([]);
    expect(sarif.runs[0].properties.suppressed).toBe(3);
  });

  it('fails with the core codes', () => {
    expect(codeOf(() => scanPaths(['/nonexistent/path']))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => scanPaths([]))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => scanPaths('x' as unknown as string[]))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => scanPaths([join(ROOT, TREE)], { format: 'xml' as 'sarif' }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => scanPaths([join(ROOT, TREE)], { maxFileBytes: 0 }))).toBe('INVALID_ARGUMENT');
    expect(codeOf(() => scanPaths([join(ROOT, TREE)], { baseline: join(ROOT, TREE, 'contacts.txt') }))).toBe(
      'INVALID_ARGUMENT',
    );
    const dir = tempDir('loop');
    symlinkSync(join(dir, 'b'), join(dir, 'a'));
    symlinkSync(join(dir, 'a'), join(dir, 'b'));
    expect(codeOf(() => scanPaths([join(dir, 'a')]))).toBe('SOURCE_UNAVAILABLE');
  });
});

interface MaskCase {
  op: string;
  args: { text?: string; options?: unknown };
}

/**
 * Every value the default masker finds in the `mask_text` fixtures that take no options
 * (4 characters or more), each case written to its own file under `dir`.
 */
function fixtureValues(dir: string): string[] {
  const fixtures = join(ROOT, 'fixtures/mask');
  const masker = new Masker();
  const values: string[] = [];
  let n = 0;
  for (const name of readdirSync(fixtures).sort()) {
    if (!name.endsWith('.json')) continue;
    const doc = JSON.parse(readFileSync(join(fixtures, name), 'utf8')) as MaskCase | MaskCase[];
    for (const c of Array.isArray(doc) ? doc : [doc]) {
      const text = c.args.text;
      if (c.op !== 'mask_text' || typeof text !== 'string' || c.args.options !== undefined) continue;
      n += 1;
      writeFileSync(join(dir, `case-${String(n).padStart(4, '0')}.txt`), text);
      for (const f of masker.scan(text)) values.push(text.slice(f.startUtf16, f.endUtf16));
    }
  }
  return values.filter((v) => [...v].length >= 4);
}

describe('no scan output holds a value', () => {
  const dir = tempDir('leaks');
  const values = fixtureValues(dir);

  /** The values found in `output`, as written or JSON-escaped. */
  const leaked = (output: string) =>
    values.filter((v) => output.includes(v) || output.includes(JSON.stringify(v).slice(1, -1)));

  it('checks enough values to mean something', () => {
    expect(values.length).toBeGreaterThan(100);
    expect(scanPaths([dir]).findings).toBeGreaterThanOrEqual(values.length);
  });

  for (const format of ['ndjson', 'sarif'] as const) {
    it(`in ${format}, from the library and the CLI (stdout, stderr and --output)`, () => {
      expect(leaked(scanPaths([dir], { format }).output)).toEqual([]);
      const file = join(tempDir('out'), `out.${format}`);
      const printed = spawnSync(process.execPath, [CLI, 'scan', dir, '--format', format], { encoding: 'utf8' });
      const written = spawnSync(process.execPath, [CLI, 'scan', dir, '--format', format, '--output', file], {
        encoding: 'utf8',
      });
      expect(printed.status).toBe(1);
      expect(written.status).toBe(1);
      expect(written.stdout).toBe('');
      expect(readFileSync(file, 'utf8')).toBe(printed.stdout);
      for (const text of [printed.stdout, printed.stderr, written.stderr]) expect(leaked(text)).toEqual([]);
    });
  }
});
