// Masking from Node side by side (issue 6): CoreSDK `Masker` against `redact-pii`, the
// key-path redactors `fast-redact` and `@pinojs/redact`, and a hand-written regex loop (the
// baseline a team writes itself), on the inputs of `mask_inputs.py` (log lines, JSON API
// payloads, span attribute maps). For each tool: MB/s and items/s on one core, p99 per
// item, and beside the speed what it detected on the same inputs: the share of labeled
// values hidden, of values that must stay kept, and of items where its result agrees with
// CoreSDK's. Runs are interleaved (each round times every tool once), after a warm-up.
//   node benchmarks/compare/mask.mjs --inputs target/bench/mask-inputs.json --out target/bench/results/masking.json [--size smoke|full]
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatRate, formatUs, median, percentile, ratioLabel, spread } from './stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const { Masker } = createRequire(join(root, 'package.json'))(join(root, 'packages/coresdk'));
const anchors = createRequire(join(root, 'benchmarks/anchors/package.json'));
const { SyncRedactor } = anchors('redact-pii');
const fastRedact = anchors('fast-redact');
const pinoRedact = anchors('@pinojs/redact');

const args = Object.fromEntries(
  process.argv
    .slice(2)
    .join(' ')
    .split('--')
    .filter(Boolean)
    .map((a) => a.trim().split(/\s+/)),
);
const size = args.size ?? 'full';
const inputsPath = args.inputs ?? join(root, 'target/bench/mask-inputs.json');
const out = args.out ?? join(root, 'target/bench/results/masking.json');
const seconds = size === 'smoke' ? 0.2 : 2;
const rounds = size === 'smoke' ? 1 : 5;
/** Lines per `maskTexts` call in the batch row. */
const BATCH = 100;

/** The regex loop a team writes itself: common shapes, replaced one pattern after another. */
const HAND_PATTERNS = [
  /[\w.+-]+@[\w-]+(?:\.[\w-]+)+/g, // email
  /\b(?:\d[ -]?){13,19}\b/g, // card-like digit runs
  /\b\d{3}-\d{2}-\d{4}\b/g, // SSN
  /\b(?:\d{1,3}\.){3}\d{1,3}\b/g, // IPv4
  /\+?\d[\d ()-]{8,}\d/g, // phone
  /\b(?:Bearer|Basic)\s+[\w.~+/-]+=*/gi, // authorization credentials
  /\bAKIA[0-9A-Z]{16}\b/g, // AWS access key id
  /\beyJ[\w-]+\.[\w-]+\.[\w-]+/g, // JWT
  /\b(?:gh[pousr]_[A-Za-z0-9]{36}|sk-[A-Za-z0-9_-]{20,}|xox[abprs]-[\w-]+)/g, // GitHub, OpenAI, Slack
  /((?:password|passwd|secret|token|api[_-]?key)["']?\s*[:=]\s*["']?)[^\s"'&,]+/gi, // key=value secrets
];
const SECRET_KEY = /pass|secret|token|auth|api[_-]?key/i;

function handText(text) {
  let s = text;
  for (const re of HAND_PATTERNS)
    s = s.replace(re, (_m, keep) => (typeof keep === 'string' ? `${keep}[REDACTED]` : '[REDACTED]'));
  return s;
}

/** Applies `f` to every string of a JSON value (keys kept); `byKey` may replace a whole value. */
function mapStrings(value, f, byKey) {
  if (typeof value === 'string') return f(value);
  if (Array.isArray(value)) return value.map((v) => mapStrings(v, f, byKey));
  if (value && typeof value === 'object') {
    const o = {};
    for (const [k, v] of Object.entries(value)) o[k] = byKey?.(k) ? '[REDACTED]' : mapStrings(v, f, byKey);
    return o;
  }
  return value;
}

/** Tools per workload: name, mask(item) -> string (what would be logged or exported). */
function tools(paths) {
  const coresdk = new Masker();
  const withPaths = new Masker({ paths });
  const redactPii = new SyncRedactor();
  const fast = fastRedact({ paths });
  const pino = pinoRedact({ paths });
  return {
    lines: [
      { name: 'CoreSDK `maskText`', run: (t) => coresdk.maskText(t) },
      {
        name: `CoreSDK \`maskTexts\` (batches of ${BATCH})`,
        coresdk: true,
        run: (t) => coresdk.maskTexts([t])[0],
        runBatch: (ts) => coresdk.maskTexts(ts),
      },
      { name: 'redact-pii `SyncRedactor`', run: (t) => redactPii.redact(t) },
      { name: 'hand-written regex loop (10 patterns)', run: handText },
    ],
    objects: [
      { name: 'CoreSDK `maskValue` (detectors + sensitive keys)', run: (v) => JSON.stringify(coresdk.maskValue(v)) },
      {
        name: 'CoreSDK `maskValue` + the same `paths`',
        coresdk: true,
        run: (v) => JSON.stringify(withPaths.maskValue(v)),
      },
      { name: 'fast-redact (paths, serialized)', run: (v) => fast(v) },
      { name: '@pinojs/redact (paths, serialized)', run: (v) => pino(v) },
      { name: 'redact-pii on every string', run: (v) => JSON.stringify(mapStrings(v, (s) => redactPii.redact(s))) },
      {
        name: 'hand-written regex loop on every string + key names',
        run: (v) => JSON.stringify(mapStrings(v, handText, (k) => SECRET_KEY.test(k))),
      },
    ],
  };
}

/** What a tool's output hides and keeps of an item's labeled values. */
function score(output, item) {
  const hidden = item.secrets.map((s) => !output.includes(s));
  const kept = item.keep.map((s) => output.includes(s));
  return { hidden, kept };
}

function detection(tool, items, reference) {
  let hidden = 0;
  let secrets = 0;
  let kept = 0;
  let keeps = 0;
  let agree = 0;
  const verdicts = items.map((item) => {
    const s = score(tool.run(item.input), item);
    hidden += s.hidden.filter(Boolean).length;
    secrets += s.hidden.length;
    kept += s.kept.filter(Boolean).length;
    keeps += s.kept.length;
    return JSON.stringify(s);
  });
  if (reference) verdicts.forEach((v, i) => (agree += v === reference[i] ? 1 : 0));
  return { hidden, secrets, kept, keeps, agree, verdicts };
}

function measure(tool, items) {
  if (tool.runBatch) return measureBatches(tool, items);
  const latencies = [];
  let bytes = 0;
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  for (let n = 0; performance.now() < deadline; n++) {
    const item = items[n % items.length];
    const t0 = process.hrtime.bigint();
    tool.run(item.input);
    latencies.push(Number(process.hrtime.bigint() - t0) / 1000);
    bytes += item.bytes;
  }
  const elapsed = (performance.now() - start) / 1000;
  return { mbps: bytes / 1e6 / elapsed, rate: latencies.length / elapsed, latencies };
}

/** As `measure`, for a tool that masks `BATCH` items per call; the latency of an item is
 * its batch's time over the batch size. */
function measureBatches(tool, items) {
  const batches = [];
  for (let i = 0; i < items.length; i += BATCH) batches.push(items.slice(i, i + BATCH));
  const inputs = batches.map((b) => b.map((item) => item.input));
  const sizes = batches.map((b) => b.reduce((a, item) => a + item.bytes, 0));
  const latencies = [];
  let bytes = 0;
  const deadline = performance.now() + seconds * 1000;
  const start = performance.now();
  for (let n = 0; performance.now() < deadline; n++) {
    const i = n % batches.length;
    const t0 = process.hrtime.bigint();
    tool.runBatch(inputs[i]);
    const us = Number(process.hrtime.bigint() - t0) / 1000 / inputs[i].length;
    for (let k = 0; k < inputs[i].length; k++) latencies.push(us);
    bytes += sizes[i];
  }
  const elapsed = (performance.now() - start) / 1000;
  return { mbps: bytes / 1e6 / elapsed, rate: latencies.length / elapsed, latencies };
}

/** MB/s of one pass of `maskText` over `items`: run first in the process, it is the cold
 * rate (the regex engines' lazy DFAs still empty). */
function firstPass(items) {
  const masker = new Masker();
  const start = performance.now();
  for (const item of items) masker.maskText(item.input);
  const bytes = items.reduce((a, item) => a + item.bytes, 0);
  return bytes / 1e6 / ((performance.now() - start) / 1000);
}

/** The same core from Rust, no binding (`crates/coresdk-mask/examples/mask_lines.rs`, built
 * by benchmarks/run.sh): cold, unseen and warm MB/s and ns per line. */
function rustLines() {
  const bin = join(root, 'target/release/examples/mask_lines');
  const out = execFileSync(bin, [inputsPath, String(seconds * rounds), 'lines', '--json'], { encoding: 'utf8' });
  return JSON.parse(out);
}

const pct = (a, b) => (b ? `${((a / b) * 100).toFixed(1)}%` : '—');

function compare(title, list, items, notes, extraRows = []) {
  const det = [];
  for (const t of list) det.push(detection(t, items, det[0]?.verdicts));
  const runs = list.map(() => ({ mbps: [], rate: [], lat: [] }));
  list.forEach((t) => measure(t, items)); // warm-up
  for (let r = 0; r < rounds; r++) {
    list.forEach((t, i) => {
      const m = measure(t, items);
      runs[i].mbps.push(m.mbps);
      runs[i].rate.push(m.rate);
      for (const us of m.latencies) runs[i].lat.push(us);
    });
  }
  const base = median(runs[0].rate);
  const rows = list.map((t, i) => {
    const d = det[i];
    const rate = median(runs[i].rate);
    return [
      t.name,
      median(runs[i].mbps).toFixed(2),
      formatRate(rate),
      formatUs(percentile(runs[i].lat, 99)),
      `${spread(runs[i].rate)}%`,
      i === 0 ? 'baseline' : t.coresdk ? `${(rate / base).toFixed(2)}× the baseline rate` : ratioLabel(base, rate),
      pct(d.hidden, d.secrets),
      pct(d.kept, d.keeps),
      i === 0 ? '—' : pct(d.agree, items.length),
    ];
  });
  rows.push(
    ...extraRows.map((r) => [
      r.name,
      r.mbps.toFixed(2),
      formatRate(r.rate),
      '—',
      '—',
      `${(r.rate / base).toFixed(2)}× the baseline rate`,
      '—',
      '—',
      '—',
    ]),
  );
  const raw = Object.fromEntries(
    list.map((t, i) => [
      t.name,
      {
        mbps: runs[i].mbps,
        rate: runs[i].rate,
        p50: percentile(runs[i].lat, 50),
        p99: percentile(runs[i].lat, 99),
        hidden: det[i].hidden,
        secrets: det[i].secrets,
        kept: det[i].kept,
        keeps: det[i].keeps,
        agree: det[i].agree,
      },
    ]),
  );
  return {
    table: {
      title,
      columns: [
        'tool',
        'MB/s',
        'items/s',
        'p99 per item',
        'spread',
        'vs CoreSDK',
        'labeled values hidden',
        'values kept',
        'same result as CoreSDK',
      ],
      rows,
      notes: [
        `${items.length} items, ${(items.reduce((a, x) => a + x.bytes, 0) / 1000).toFixed(1)} kB in all; medians of ${rounds} rounds of ${seconds} s per tool, interleaved, after a warm-up; one core (Node main thread).`,
        '"Labeled values hidden": the share of labeled sensitive values that no longer appear in the output; "values kept": the share of values that must survive (ids, timestamps, hard negatives) still there; "same result": items where the tool hides and keeps exactly what CoreSDK does.',
        ...notes,
      ],
    },
    raw,
  };
}

function main() {
  const inputs = JSON.parse(readFileSync(inputsPath, 'utf8'));
  const lineItems = inputs.lines.map((l) => ({
    input: l.text,
    secrets: l.secrets,
    keep: l.keep,
    bytes: Buffer.byteLength(l.text),
  }));
  const objectItems = (w) =>
    w.items.map((x) => ({
      input: x.value,
      secrets: x.secrets,
      keep: x.keep,
      bytes: Buffer.byteLength(JSON.stringify(x.value)),
    }));
  // Before anything else masks in this process: the first pass over half the lines (cold),
  // then over the other half (text not seen before, after some warm-up).
  const half = lineItems.length >> 1;
  const cold = firstPass(lineItems.slice(0, half));
  const unseen = firstPass(lineItems.slice(half));
  const rust = rustLines();
  const lines = compare(
    'Masking from Node: log lines',
    tools(inputs.payloads.paths).lines,
    lineItems,
    [
      'fast-redact and @pinojs/redact redact values at configured key paths of objects; they have no text detectors, so they appear only in the object tables.',
      `The Rust row is the same core without a binding (\`crates/coresdk-mask/examples/mask_lines.rs\`, ${rust.rounds_mbps.length} rounds, run before the Node rounds): ${Math.round(rust.ns_per_item)} ns per line; its detection is CoreSDK's by construction.`,
      `First passes, before any warm-up: Node \`maskText\` cold (the process's first ${half} lines) ${cold.toFixed(2)} MB/s, then ${unseen.toFixed(2)} MB/s on the next ${lineItems.length - half} lines, not seen before; Rust cold ${rust.cold_mbps.toFixed(2)} MB/s, unseen ${rust.unseen_mbps.toFixed(2)} MB/s.`,
    ],
    [
      {
        name: 'CoreSDK in Rust, `mask_text` (no binding)',
        mbps: median(rust.rounds_mbps),
        rate: (median(rust.rounds_mbps) * 1e6 * lineItems.length) / rust.bytes,
      },
    ],
  );
  lines.raw.rust = rust;
  lines.raw.firstPass = { cold, unseen };
  const results = [
    lines,
    compare(
      'Masking from Node: JSON API payloads',
      tools(inputs.payloads.paths).objects,
      objectItems(inputs.payloads),
      [
        `Key-path tools get the paths a team would configure: ${inputs.payloads.paths.map((p) => `\`${p}\``).join(', ')}; they cannot see the email and IP inside the free-text \`note\`.`,
        'Every tool returns the masked payload as a JSON string (what a logger writes): CoreSDK and the per-string loops include `JSON.stringify` of their result in the time.',
      ],
    ),
    compare('Masking from Node: span attribute maps', tools(inputs.spans.paths).objects, objectItems(inputs.spans), [
      `Key-path tools get ${inputs.spans.paths.map((p) => `\`${p}\``).join(', ')}; an \`api_key\` inside \`http.url\` and an email inside \`db.statement\` are outside any key path.`,
    ]),
  ];
  for (const r of results) console.error(`masking: ${r.table.title}: done`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      {
        suite: 'masking',
        command: `node benchmarks/compare/mask.mjs --size ${size}`,
        tables: results.map((r) => r.table),
        raw: {
          seconds,
          rounds,
          versions: Object.fromEntries(
            ['redact-pii', 'fast-redact', '@pinojs/redact'].map((n) => [n, anchors(`${n}/package.json`).version]),
          ),
          ...Object.fromEntries(results.map((r) => [r.table.title, r.raw])),
        },
      },
      null,
      2,
    ),
  );
}

main();
