// Runs the parity documents through the Node package and prints one JSON result line
// per document: canonical text, hash, masked (redact + pseudonym) JSON, or error codes.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const require = createRequire(join(root, 'packages/coresdk/package.json'));
const { canonicalizeJson, hashJson, Masker } = require(join(root, 'packages/coresdk'));

const attempt = (f) => {
  try {
    return f();
  } catch (e) {
    return { error: e.code ?? String(e) };
  }
};

export function runNode(docs) {
  const redact = new Masker();
  const pseudo = new Masker({ strategy: 'pseudonymize', key: 'parity-key' });
  return docs.map((doc) => ({
    canonical: attempt(() => canonicalizeJson(doc)),
    sha256: attempt(() => hashJson(doc)),
    masked: attempt(() => redact.maskJson(doc)),
    pseudonymized: attempt(() => pseudo.maskJson(doc)),
    maskedText: attempt(() => redact.maskText(doc)),
  }));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const docs = JSON.parse(readFileSync(process.argv[2], 'utf8'));
  process.stdout.write(JSON.stringify(runNode(docs)));
}
