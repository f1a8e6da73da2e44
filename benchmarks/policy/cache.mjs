// Decision cache hit path from Node: decisions/s of `evaluateSync` on an engine without
// the cache and on one with it, the same three inputs cycling (so every cached decision
// after the first three is a hit). Not a test: a measurement.
// Runs are interleaved (off, on, off, on, ...) and the median of each is reported.
//   node benchmarks/policy/cache.mjs [rbac|abac-scan] [seconds-per-run=1] [runs=5]

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const { PolicyEngine } = createRequire(join(root, 'package.json'))(join(root, 'packages/coresdk'));
const workload = process.argv[2] ?? 'rbac';
const seconds = Number(process.argv[3] ?? 1);
const runs = Number(process.argv[4] ?? 5);

function load(options) {
  if (workload === 'rbac') {
    const ex = join(root, 'packages/coresdk/examples/rbac');
    const engine = PolicyEngine.create({
      ...options,
      paths: [join(ex, 'policy.rego')],
      data: JSON.parse(readFileSync(join(ex, 'data.json'), 'utf8')),
    });
    const inputs = [
      { user: 'bob', action: 'update', type: 'cat' },
      { user: 'eve', action: 'update', type: 'dog' },
      { user: 'alice', action: 'delete', type: 'dog' },
    ];
    return { engine, inputs, path: 'data.rbac.allow' };
  }
  const w = JSON.parse(readFileSync(join(root, 'benchmarks/policy/workloads.json'), 'utf8'))[workload];
  const users = Array.from({ length: w.users }, (_, i) => ({
    name: `user${i}`,
    department: `d${i % 7}`,
    clearance: i % 5,
  }));
  const engine = PolicyEngine.create({ ...options, modules: { 'w.rego': w.policy }, data: { users } });
  const inputs = [
    { user: 'user4998', department: 'd0', level: 2 },
    { user: 'user4999', department: 'd1', level: 9 },
    { user: 'user2503', department: 'd4', level: 3 },
  ];
  return { engine, inputs, path: w.path };
}

function rate({ engine, inputs, path }) {
  const deadline = performance.now() + seconds * 1000;
  let n = 0;
  while (performance.now() < deadline) {
    const d = engine.evaluateSync(path, inputs[n % 3]);
    if (d.result !== (n % 3 !== 1)) throw new Error('wrong decision');
    n++;
  }
  return n / seconds;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const off = load({});
const on = load({ cache: { maxEntries: 10_000, ttlMs: 600_000 } });
rate(off);
rate(on); // warm-up (replicas built, cache filled)
const offRates = [];
const onRates = [];
for (let i = 0; i < runs; i++) {
  offRates.push(rate(off));
  onRates.push(rate(on));
}
const m = on.engine.metrics().cache;
console.log(
  JSON.stringify({
    language: 'node',
    workload,
    seconds,
    runs,
    no_cache_per_s: Math.round(median(offRates)),
    cache_hit_per_s: Math.round(median(onRates)),
    ratio: +(median(onRates) / median(offRates)).toFixed(2),
    hit_fraction: +(m.hits / (m.hits + m.misses)).toFixed(4),
  }),
);
