// Policy evaluation side by side (issue 6): CoreSDK from Node (`evaluateSync`, `evaluate`,
// with and without the decision cache) against OPA's own engines on the same policies,
// data and inputs, in one run:
//   - `opa bench` (OPA's Go evaluator in process; one goroutine),
//   - the OPA REST server (`opa run --server` on loopback) called with a keep-alive agent,
//   - `@open-policy-agent/opa-wasm` with the policy compiled by the same OPA binary.
// Before timing, every engine must return the expected decision for every input; a
// disagreement stops the run. Runs are interleaved (each round times every engine once),
// after a warm-up; medians of the rounds are reported with the spread.
//   node benchmarks/compare/policy.mjs --out target/bench/results/policy.json [--size smoke|full]
// Needs `bash benchmarks/setup.sh` (OPA binary, npm anchors) and a built CoreSDK.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { workloads } from './policy_workloads.mjs';
import { formatRate, formatUs, median, percentile, ratioLabel, spread } from './stats.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const requireRoot = createRequire(join(root, 'package.json'));
const { PolicyEngine } = requireRoot(join(root, 'packages/coresdk'));
const { loadPolicy } = createRequire(join(root, 'benchmarks/anchors/package.json'))('@open-policy-agent/opa-wasm');

const args = Object.fromEntries(
  process.argv
    .slice(2)
    .join(' ')
    .split('--')
    .filter(Boolean)
    .map((a) => a.trim().split(/\s+/)),
);
const size = args.size ?? 'full';
const out = args.out ?? join(root, 'target/bench/results/policy.json');
const seconds = size === 'smoke' ? 0.2 : 2;
const rounds = size === 'smoke' ? 1 : 5;
const opa = join(root, 'target/bench/bin/opa');
const work = join(root, 'target/bench/workloads');

/** Writes each workload's policy, data and inputs where the OPA tools (and policy.py) read them. */
function writeWorkloads() {
  for (const w of workloads) {
    const dir = join(work, w.name);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'policy.rego'), w.policy);
    writeFileSync(join(dir, 'data.json'), JSON.stringify(w.data));
    w.inputs.forEach((c, i) => writeFileSync(join(dir, `input${i}.json`), JSON.stringify(c.input)));
    writeFileSync(
      join(dir, 'cases.json'),
      JSON.stringify({ entrypoint: w.entrypoint, description: w.description, inputs: w.inputs }),
    );
  }
}

/** Compiles all workloads into one wasm module with one entrypoint each. */
async function wasmPolicy() {
  const dir = join(work, 'wasm');
  mkdirSync(dir, { recursive: true });
  const entrypoints = workloads.flatMap((w) => ['-e', w.entrypoint]);
  const files = workloads.map((w) => join(work, w.name, 'policy.rego'));
  execFileSync(opa, ['build', '-t', 'wasm', ...entrypoints, '-o', join(dir, 'bundle.tar.gz'), ...files]);
  execFileSync('tar', ['xzf', join(dir, 'bundle.tar.gz'), '-C', dir, '/policy.wasm'], { stdio: 'ignore' });
  return loadPolicy(readFileSync(join(dir, 'policy.wasm')));
}

/** Starts `opa run --server` on a free loopback port with every workload loaded. */
async function opaServer() {
  const port = 18181 + Math.floor(Math.random() * 1000);
  const files = workloads.flatMap((w) => [join(work, w.name, 'policy.rego'), join(work, w.name, 'data.json')]);
  const child = spawn(opa, ['run', '--server', '--addr', `127.0.0.1:${port}`, '--log-level', 'error', ...files], {
    stdio: 'ignore',
  });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
  for (let i = 0; i < 200; i++) {
    try {
      await post(agent, port, '/health', null, 'GET');
      return { child, agent, port };
    } catch {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  child.kill();
  throw new Error('opa server did not start');
}

function post(agent, port, path, body, method = 'POST') {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path, method, agent, headers: { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c) => (text += c));
        res.on('end', () =>
          res.statusCode === 200
            ? resolve(text ? JSON.parse(text) : null)
            : reject(new Error(`HTTP ${res.statusCode}: ${text}`)),
        );
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** The engines under test for one workload: name, evaluate(input) -> boolean, sync or not. */
function engines(w, wasm, server) {
  const path = `data.${w.entrypoint.replaceAll('/', '.')}`;
  const plain = PolicyEngine.create({ modules: { 'p.rego': w.policy }, data: w.data });
  const cached = PolicyEngine.create({
    modules: { 'p.rego': w.policy },
    data: w.data,
    cache: { maxEntries: 10_000, ttlMs: 600_000 },
  });
  const interpreted = PolicyEngine.create({ modules: { 'p.rego': w.policy }, data: w.data, evaluator: 'interpreter' });
  wasm.setData(w.allData);
  return [
    {
      name: 'CoreSDK Node `evaluateSync`',
      sync: true,
      coresdk: true,
      engine: plain,
      run: (input) => plain.evaluateSync(path, input).result,
    },
    {
      name: 'CoreSDK Node `evaluateSync`, interpreter only (`evaluator: "interpreter"`)',
      sync: true,
      run: (input) => interpreted.evaluateSync(path, input).result,
    },
    { name: 'CoreSDK Node `evaluate` (libuv pool)', run: async (input) => (await plain.evaluate(path, input)).result },
    {
      name: 'CoreSDK Node `evaluateSync` + decision cache (hits)',
      sync: true,
      cache: true,
      run: (input) => cached.evaluateSync(path, input).result,
    },
    { name: 'opa-wasm (Node)', sync: true, run: (input) => wasm.evaluate(input, w.entrypoint)[0].result },
    {
      name: 'OPA REST server from Node (keep-alive)',
      run: async (input) =>
        (await post(server.agent, server.port, `/v1/data/${w.entrypoint}`, JSON.stringify({ input }))).result,
    },
  ];
}

/** Which evaluator answered an engine's decisions, from its metrics. */
function evaluatorNote(engine) {
  const { compiled, interpreter } = engine.metrics().evaluator;
  if (interpreter === 0) return 'every decision on the register VM';
  if (compiled === 0) return 'every decision on the interpreter (not compiled for the VM)';
  return `${compiled} decisions on the register VM and ${interpreter} on the interpreter`;
}

/** Decisions/s and per-call latencies of `callers` concurrent loops for `seconds`. */
async function measure(engine, inputs, callers) {
  const latencies = [];
  const deadline = performance.now() + seconds * 1000;
  let n = 0;
  const loop = async () => {
    while (performance.now() < deadline) {
      const c = inputs[n++ % inputs.length];
      const t0 = process.hrtime.bigint();
      const result = engine.sync ? engine.run(c.input) : await engine.run(c.input);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1000);
      if (result !== c.expect) throw new Error(`${engine.name}: wrong decision during timing`);
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: callers }, loop));
  return { rate: latencies.length / ((performance.now() - start) / 1000), latencies };
}

/** OPA's Go evaluator in process, one goroutine, through `opa bench` on the first input. */
function opaBench(w) {
  const dir = join(work, w.name);
  const results = [];
  for (let r = 0; r < rounds; r++) {
    const text = execFileSync(
      opa,
      [
        'bench',
        '-d',
        join(dir, 'policy.rego'),
        '-d',
        join(dir, 'data.json'),
        '-i',
        join(dir, 'input0.json'),
        `data.${w.entrypoint.replaceAll('/', '.')}`,
        '--format',
        'json',
      ],
      { encoding: 'utf8', maxBuffer: 1 << 24 },
    );
    const b = JSON.parse(text);
    results.push({
      rate: b.N / (b.T / 1e9),
      p50: b.Extra.histogram_timer_rego_query_eval_ns_median / 1000,
      p99: b.Extra['histogram_timer_rego_query_eval_ns_99%'] / 1000,
    });
  }
  return results;
}

/** CoreSDK from Rust directly (`examples/bench_policy.rs`, built by benchmarks/run.sh). */
function rustDirect(w) {
  const bin = join(root, 'target/release/examples/bench_policy');
  return JSON.parse(execFileSync(bin, [join(work, w.name), String(seconds), String(rounds)], { encoding: 'utf8' }));
}

async function checkAgreement(w, list) {
  for (const e of list) {
    for (const c of w.inputs) {
      const got = e.sync ? e.run(c.input) : await e.run(c.input);
      if (got !== c.expect)
        throw new Error(
          `${w.name}: ${e.name} answered ${JSON.stringify(got)} for ${JSON.stringify(c.input)}, expected ${c.expect}`,
        );
    }
  }
}

async function main() {
  writeWorkloads();
  const wasm = await wasmPolicy();
  const server = await opaServer();
  const tables = [];
  const raw = {};
  try {
    for (const w of workloads) {
      const list = engines(w, wasm, server);
      await checkAgreement(w, list);
      const runs = new Map(list.map((e) => [e.name, { one: [], two: [], lat: [] }]));
      for (const e of list) await measure(e, w.inputs, 1); // warm-up
      for (let r = 0; r < rounds; r++) {
        for (const e of list) {
          const one = await measure(e, w.inputs, 1);
          const rec = runs.get(e.name);
          rec.one.push(one.rate);
          for (const us of one.latencies) rec.lat.push(us);
          if (!e.sync) rec.two.push((await measure(e, w.inputs, 2)).rate);
        }
      }
      const goRuns = opaBench(w);
      const rust = rustDirect(w);
      const base = median(runs.get(list[0].name).one);
      const rows = list.map((e) => {
        const rec = runs.get(e.name);
        const rate = median(rec.one);
        return [
          e.name,
          formatUs(percentile(rec.lat, 50)),
          formatUs(percentile(rec.lat, 99)),
          formatRate(rate),
          rec.two.length ? formatRate(median(rec.two)) : '— (one JS thread)',
          `${spread(rec.one)}%`,
          e === list[0]
            ? 'baseline'
            : e.cache
              ? `${(rate / base).toFixed(2)}× the uncached rate`
              : ratioLabel(base, rate),
        ];
      });
      const rustRate = median(rust.one);
      rows.splice(1, 0, [
        'CoreSDK Rust direct (`PolicyEngine::evaluate`)',
        formatUs(rust.p50),
        formatUs(rust.p99),
        formatRate(rustRate),
        formatRate(median(rust.two)),
        `${spread(rust.one)}%`,
        `${(rustRate / base).toFixed(2)}× the Node rate (no JS crossing)`,
      ]);
      const goRate = median(goRuns.map((g) => g.rate));
      rows.push([
        'OPA Go in process (`opa bench`, one goroutine)',
        formatUs(median(goRuns.map((g) => g.p50))),
        formatUs(median(goRuns.map((g) => g.p99))),
        formatRate(goRate),
        '— (opa bench runs one goroutine)',
        `${spread(goRuns.map((g) => g.rate))}%`,
        ratioLabel(base, goRate),
      ]);
      raw[w.name] = {
        engines: Object.fromEntries(
          [...runs].map(([k, v]) => [
            k,
            { one: v.one, two: v.two, p50: percentile(v.lat, 50), p99: percentile(v.lat, 99) },
          ]),
        ),
        rust,
        opa_bench: goRuns,
      };
      tables.push({
        title: `Policy \`${w.name}\`: ${w.description}`,
        columns: [
          'engine',
          'p50',
          'p99',
          'decisions/s, 1 caller',
          'decisions/s, 2 callers',
          'spread (1 caller)',
          'vs CoreSDK `evaluateSync`',
        ],
        rows,
        notes: [
          `Every engine returned the expected decision for all ${w.inputs.length} inputs before timing (${w.inputs.map((c) => c.expect).join(', ')}), and again on every timed call.`,
          `Latency is per call as the caller sees it (Node: JSON in, decision out; REST: the whole HTTP round trip), over ${rounds} rounds of ${seconds} s per engine, interleaved. \`opa bench\` reports OPA's own eval-time histogram on input0 (no JSON or HTTP); its decisions/s is N/T of its loop.`,
          'The cache row answers repeated inputs from the decision cache (every timed call a hit); OPA has no decision cache to compare.',
          'The Rust row is the same engine without the Node binding (JSON bytes in, decision out), one thread and two threads sharing one engine; it checks every decision too.',
          `CoreSDK rows run the default compiled evaluator, which answered ${evaluatorNote(list[0].engine)} in this run; the "interpreter only" row turns the register VM off.`,
        ],
      });
      console.error(`policy ${w.name}: done`);
    }
  } finally {
    server.child.kill();
    server.agent.destroy();
  }
  const opaVersion = execFileSync(opa, ['version'], { encoding: 'utf8' }).split('\n')[0];
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(
    out,
    JSON.stringify(
      {
        suite: 'policy',
        command: `node benchmarks/compare/policy.mjs --size ${size}`,
        tables,
        raw: { opa: opaVersion, seconds, rounds, ...raw },
      },
      null,
      2,
    ),
  );
}

await main();
