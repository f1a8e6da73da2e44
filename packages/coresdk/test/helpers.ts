import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { expect } from 'vitest';
import { CoreSdkError } from '../src/index.js';

/** The code of the CoreSdkError that `f` throws (fails the test if it throws anything else). */
export function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(CoreSdkError);
    return (e as CoreSdkError).code;
  }
  throw new Error('expected a CoreSdkError');
}

/** A `.tar.gz` of `files` (path to text), written as plain ustar entries. */
export function tarGz(files: Record<string, string>): Buffer {
  const blocks: Buffer[] = [];
  for (const [name, text] of Object.entries(files)) {
    const body = Buffer.from(text, 'utf8');
    const header = Buffer.alloc(512);
    header.write(name, 0, 100, 'utf8');
    header.write('0000644\0', 100, 'ascii'); // mode
    header.write('0000000\0', 108, 'ascii'); // uid
    header.write('0000000\0', 116, 'ascii'); // gid
    header.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124, 'ascii');
    header.write('00000000000\0', 136, 'ascii'); // mtime
    header.write('        ', 148, 'ascii'); // checksum placeholder: eight spaces
    header.write('0', 156, 'ascii'); // regular file
    header.write('ustar\0' + '00', 257, 'ascii');
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
    blocks.push(header, body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
}

/** A bundle whose `data.app.version` is `version` and whose manifest revision is `v<version>`. */
export function versionedBundle(version: number): Buffer {
  return tarGz({
    '.manifest': JSON.stringify({ revision: `v${version}`, roots: ['app'] }),
    'app/policy.rego': `package app\nversion := ${version}\nallow if input.user == data.app.admin\n`,
    'app/data.json': '{"admin":"alice"}',
  });
}

/** Polls `condition` every 10 ms until it holds or `timeoutMs` passes. */
export async function eventually(condition: () => boolean, timeoutMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return condition();
}

const MASK_FIXTURES = resolve(__dirname, '../../../fixtures/mask');

/** The texts of the `mask_text` fixtures that use the default options. */
export function fixtureTexts(): string[] {
  const texts: string[] = [];
  for (const file of readdirSync(MASK_FIXTURES).filter((f) => f.endsWith('.json'))) {
    const cases = JSON.parse(readFileSync(join(MASK_FIXTURES, file), 'utf8')) as {
      op: string;
      args: { text?: string; options?: unknown };
    }[];
    for (const c of cases) {
      if (c.op === 'mask_text' && c.args.options === undefined && c.args.text !== undefined) texts.push(c.args.text);
    }
  }
  return texts;
}
