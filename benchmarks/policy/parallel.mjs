// Decisions per second from Node with 1 and 2 concurrent callers of the async
// `evaluate()` (libuv pool), on a workload of benchmarks/policy/workloads.json or the
// built-in RBAC example. Not a test: a measurement.
// Runs are interleaved (1, 2, 1, 2, ...) and the median of each is reported.
//   node benchmarks/policy/parallel.mjs [rbac|abac-scan] [seconds-per-run=2] [runs=5]

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const { PolicyEngine } = createRequire(join(root, 'package.json'))(join(root, 'packages/coresdk'));
const workload = process.argv[2] ?? 'rbac';
const seconds = Number(process.argv[3] ?? 2);
const runs = Number(process.argv[4] ?? 5);
let engine, inputs, path;
if (workload === 'rbac') {
  const ex = join(root, 'packages/coresdk/examples/rbac');
  engine = PolicyEngine.create({
    paths: [join(ex, 'policy.rego')],
    data: JSON.parse(readFileSync(join(ex, 'data.json'), 'utf8')),
  });
  inputs = [
    { user: 'bob', action: 'update', type: 'cat' },
    { user: 'eve', action: 'update', type: 'dog' },
    { user: 'alice', action: 'delete', type: 'dog' },
  ];
  path = 'data.rbac.allow';
} else {
  const w = JSON.parse(readFileSync(join(root, 'benchmarks/policy/workloads.json'), 'utf8'))[workload];
  const users = Array.from({ length: w.users }, (_, i) => ({
    name: `user${i}`,
    department: `d${i % 7}`,
    clearance: i % 5,
  }));
  engine = PolicyEngine.create({ modules: { 'w.rego': w.policy }, data: { users } });
  // allowed, denied (clearance), allowed: the same pattern as rbac (n % 3 !== 1).
  inputs = [
    { user: 'user4998', department: 'd0', level: 2 },
    { user: 'user4999', department: 'd1', level: 9 },
    { user: 'user2503', department: 'd4', level: 3 },
  ];
  path = w.path;
}

async function caller(deadline) {
  let n = 0;
  while (performance.now() < deadline) {
    const d = await engine.evaluate(path, inputs[n % 3]);
    if (d.result !== (n % 3 !== 1)) throw new Error('wrong decision');
    n++;
  }
  return n;
}

async function rate(callers) {
  const deadline = performance.now() + seconds * 1000;
  const counts = await Promise.all(Array.from({ length: callers }, () => caller(deadline)));
  return counts.reduce((a, b) => a + b, 0) / seconds;
}

function syncRate() {
  const deadline = performance.now() + seconds * 1000;
  let n = 0;
  while (performance.now() < deadline) engine.evaluateSync(path, inputs[n++ % 3]);
  return n / seconds;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
await rate(1); // warm-up
const one = [],
  two = [],
  sync = [];
for (let i = 0; i < runs; i++) {
  one.push(await rate(1));
  two.push(await rate(2));
  sync.push(syncRate());
}
const result = {
  language: 'node',
  workload,
  evaluateSync_1_caller: Math.round(median(sync)),
  evaluate_1_caller: Math.round(median(one)),
  evaluate_2_callers: Math.round(median(two)),
  speedup_2_over_1: +(median(two) / median(one)).toFixed(2),
  spread_1: [Math.round(Math.min(...one)), Math.round(Math.max(...one))],
  spread_2: [Math.round(Math.min(...two)), Math.round(Math.max(...two))],
};
console.log(JSON.stringify(result));
