// Canonical hashing from Node side by side (issue 6): CoreSDK `hash` (a JS value) and
// `hashJson` (JSON text) against `canonicalize` (npm, RFC 8785) + `node:crypto` SHA-256, on
// documents of about 1 KB, 100 KB and 10 MB (smoke: 1 KB and 100 KB). Every tool must give
// the same hash of every document before timing. Also writes the documents to
// target/bench/canonical/ for `canonical.py`, so both languages hash the same bytes.
//   node benchmarks/compare/canonical.mjs --out target/bench/results/canonical.json [--size smoke|full]
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { formatRate, formatUs, median, percentile, ratioLabel, spread } from './stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const { hash, hashJson } = createRequire(join(root, 'package.json'))(join(root, 'packages/coresdk'));
const anchors = createRequire(join(root, 'benchmarks/anchors/package.json'));
const { default: canonicalize } = await import(pathToFileURL(anchors.resolve('canonicalize')).href);

const args = Object.fromEntries(
  process.argv
    .slice(2)
    .join(' ')
    .split('--')
    .filter(Boolean)
    .map((a) => a.trim().split(/\s+/)),
);
const size = args.size ?? 'full';
const out = args.out ?? join(root, 'target/bench/results/canonical.json');
const seconds = size === 'smoke' ? 0.2 : 2;
const rounds = size === 'smoke' ? 1 : 5;
const SIZES =
  size === 'smoke'
    ? [
        ['1 KB', 1e3],
        ['100 KB', 1e5],
      ]
    : [
        ['1 KB', 1e3],
        ['100 KB', 1e5],
        ['10 MB', 1e7],
      ];

/** A deterministic record: nested keys out of order, non-ASCII and escaped strings, doubles. */
function record(i) {
  return {
    zeta: i,
    id: `user-${i}`,
    name: `Zoë Ångström ${i} 😀`,
    score: (i * 1.5) / 7,
    ratio: i % 3 === 0 ? 1e21 + i * 1e6 : i / 1000,
    active: i % 2 === 0,
    tags: ['α', 'b', `t${i % 10}`],
    note: 'line 1\nline "2"\t\\ end',
    address: { zip: `${10000 + i}`, city: 'Zürich', é: null, a: [i, -i, 0.1 * i] },
  };
}

/** A document of about `bytes` UTF-8 bytes of JSON. */
function documentOf(bytes) {
  const one = Buffer.byteLength(JSON.stringify(record(0)));
  const records = Array.from({ length: Math.max(1, Math.round(bytes / (one + 1))) }, (_, i) => record(i));
  return { version: 1, generated: '2026-11-23', records };
}

const anchor = (v) => createHash('sha256').update(canonicalize(v)).digest('hex');

function measure(run, input, bytes) {
  const latencies = [];
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  do {
    const t0 = process.hrtime.bigint();
    run(input);
    latencies.push(Number(process.hrtime.bigint() - t0) / 1000);
  } while (performance.now() < deadline);
  const elapsed = (performance.now() - start) / 1000;
  return { rate: latencies.length / elapsed, mbps: (latencies.length * bytes) / 1e6 / elapsed, latencies };
}

const canonicalizeVersion = JSON.parse(
  readFileSync(join(root, 'benchmarks/anchors/node_modules/canonicalize/package.json'), 'utf8'),
).version;

function main() {
  const dir = join(root, 'target/bench/canonical');
  mkdirSync(dir, { recursive: true });
  const rows = [];
  const raw = {};
  for (const [label, target] of SIZES) {
    const doc = documentOf(target);
    const text = JSON.stringify(doc);
    const bytes = Buffer.byteLength(text);
    writeFileSync(join(dir, `${label.replace(' ', '')}.json`), text);
    const tools = [
      { name: 'CoreSDK `hash(value)`', input: doc, run: hash },
      { name: 'CoreSDK `hashJson(text)`', input: text, run: hashJson },
      { name: '`canonicalize` + node:crypto SHA-256 (value)', input: doc, run: anchor },
      { name: '`JSON.parse` + `canonicalize` + SHA-256 (text)', input: text, run: (t) => anchor(JSON.parse(t)) },
    ];
    const want = anchor(doc);
    for (const t of tools) {
      const got = t.run(t.input);
      if (got !== want) throw new Error(`${label}: ${t.name} gave ${got}, canonicalize gave ${want}`);
    }
    const runs = tools.map(() => ({ rate: [], mbps: [], lat: [] }));
    tools.forEach((t) => measure(t.run, t.input, bytes)); // warm-up
    for (let r = 0; r < rounds; r++) {
      tools.forEach((t, i) => {
        const m = measure(t.run, t.input, bytes);
        runs[i].rate.push(m.rate);
        runs[i].mbps.push(m.mbps);
        for (const us of m.latencies) runs[i].lat.push(us);
      });
    }
    tools.forEach((t, i) => {
      const rate = median(runs[i].rate);
      // Value against value, text against text.
      const base = median(runs[i % 2].rate);
      rows.push([
        `${label} (${(bytes / 1000).toFixed(1)} kB)`,
        t.name,
        median(runs[i].mbps).toFixed(1),
        formatRate(rate),
        formatUs(percentile(runs[i].lat, 50)),
        formatUs(percentile(runs[i].lat, 99)),
        `${spread(runs[i].rate)}%`,
        i < 2 ? 'baseline' : ratioLabel(base, rate),
      ]);
    });
    raw[label] = {
      bytes,
      hash: want,
      ...Object.fromEntries(
        tools.map((t, i) => [
          t.name,
          {
            rate: runs[i].rate,
            mbps: runs[i].mbps,
            p50: percentile(runs[i].lat, 50),
            p99: percentile(runs[i].lat, 99),
          },
        ]),
      ),
    };
    console.error(`canonical ${label}: done`);
  }
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      {
        suite: 'canonical',
        command: `node benchmarks/compare/canonical.mjs --size ${size}`,
        tables: [
          {
            title: 'Canonical hashing (RFC 8785 + SHA-256) from Node',
            columns: ['document', 'tool', 'MB/s', 'hashes/s', 'p50', 'p99', 'spread', 'vs CoreSDK'],
            rows,
            notes: [
              'Every tool gave the same SHA-256 for every document before timing. Documents: records with nested objects, keys out of order, non-ASCII and escaped strings, doubles (including 1e21 and up, which JCS writes in exponent form).',
              "Value rows compare with CoreSDK `hash(value)`, text rows with `hashJson(text)`; MB/s counts the document's JSON bytes.",
              `Medians of ${rounds} rounds of ${seconds} s per tool, interleaved, after a warm-up; canonicalize ${canonicalizeVersion}.`,
            ],
          },
        ],
        raw: { seconds, rounds, ...raw },
      },
      null,
      2,
    ),
  );
}

main();
