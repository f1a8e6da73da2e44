// Differential parity run: the same generated documents through Node and Python
// (canonicalize, hash, mask), compared byte for byte, and Node's canonical output compared
// with the independent `canonicalize` npm package. Prints 'N passed, N failed'.

import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generate } from './generate.mjs';
import { runNode } from './run_node.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const canonicalizeRef = createRequire(join(root, 'package.json'))('canonicalize');
const count = Number(process.env.PARITY_DOCS ?? 1000);
const python = process.env.PYTHON ?? join(root, '.venv/bin/python');

const docs = generate(count);
const dir = mkdtempSync(join(tmpdir(), 'coresdk-parity-'));
const docsFile = join(dir, 'docs.json');
writeFileSync(docsFile, JSON.stringify(docs));
const node = runNode(docs);
const py = JSON.parse(
  execFileSync(python, [join(here, 'run_python.py'), docsFile], { maxBuffer: 1 << 30, encoding: 'utf8' }),
);
rmSync(dir, { recursive: true, force: true });

let passed = 0;
let failed = 0;
const stats = { errors: 0, masked: 0, referenceCompared: 0 };
const fail = (i, what, a, b) => {
  failed++;
  if (failed <= 10)
    console.error(
      `doc ${i} ${what}:\n  doc ${docs[i].slice(0, 200)}\n  A   ${JSON.stringify(a)?.slice(0, 300)}\n  B   ${JSON.stringify(b)?.slice(0, 300)}`,
    );
};
for (let i = 0; i < docs.length; i++) {
  const a = node[i];
  const b = py[i];
  let ok = true;
  for (const field of ['canonical', 'sha256', 'masked', 'pseudonymized', 'maskedText']) {
    if (JSON.stringify(a[field]) !== JSON.stringify(b[field])) {
      fail(i, `node != python (${field})`, a[field], b[field]);
      ok = false;
    }
  }
  if (typeof a.canonical === 'string') {
    // The reference implementation works on JavaScript values, so parse first.
    const reference = canonicalizeRef(JSON.parse(docs[i]));
    stats.referenceCompared++;
    if (reference !== a.canonical) {
      fail(i, 'node != canonicalize (npm)', a.canonical, reference);
      ok = false;
    }
    const sha = createHash('sha256').update(reference, 'utf8').digest('hex');
    if (sha !== a.sha256) {
      fail(i, 'sha256 != node:crypto over the reference canonical form', a.sha256, sha);
      ok = false;
    }
    if (typeof a.masked === 'string' && a.masked.includes('[REDACTED:')) stats.masked++;
  } else {
    stats.errors++;
  }
  if (ok) passed++;
}
console.log(
  `parity over ${docs.length} generated documents: ${stats.referenceCompared} compared with the canonicalize npm package, ${stats.errors} malformed or too deep (error codes compared), ${stats.masked} changed by masking`,
);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
