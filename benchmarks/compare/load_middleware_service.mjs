// The Express 5 service of the middleware load benchmark (load_middleware.py): every
// `/accounts/<id>` request goes through `expressAuthorization` (HS256 bearer tokens, the
// examples' policy `data.http.allow`), and the handler answers 200 with the decision id
// (refusals carry it in the problem body). `--mode off`: no decision logging, no shadow.
// `--mode on`: a `DecisionLogger` POSTing to `--receiver` every `--min-delay-ms` and a
// `Shadow` asking the OPA server at `--opa` about every decision (sample rate 1).
// `GET /__stats`: the logger's and the shadow's metrics (JSON, null when off).
// `POST /__close`: waits for the shadow's queue, closes (flushes) the logger, answers the
// final metrics. (`--mode log` / `--mode shadow`: only one of the two, to tell their costs apart.)
//   node benchmarks/compare/load_middleware_service.mjs --port 18080 --mode off
//   node benchmarks/compare/load_middleware_service.mjs --port 18081 --mode on \
//     --receiver http://127.0.0.1:18181 --opa http://127.0.0.1:8181 [--buffer-size 10000]
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opts } = parseArgs({
  options: {
    port: { type: 'string' },
    mode: { type: 'string', default: 'off' },
    receiver: { type: 'string' },
    opa: { type: 'string' },
    'min-delay-ms': { type: 'string', default: '200' },
    'max-delay-ms': { type: 'string', default: '2000' },
    'buffer-size': { type: 'string', default: '10000' },
  },
});
const pkg = createRequire(join(root, 'packages/coresdk/package.json'));
const { DecisionLogger, PolicyEngine, Shadow, TokenVerifier, expressAuthorization } = pkg(
  join(root, 'packages/coresdk'),
);
const express = pkg('express');

// The examples' demo secret (examples/express/server.mjs); the driver signs tokens with it.
const DEMO_SECRET = 'coresdk-example-secret';
const engine = new PolicyEngine({ paths: [join(root, 'examples/policy/http.rego')] });
const verifier = new TokenVerifier({ keys: [{ algorithm: 'HS256', secret: DEMO_SECRET }] });

let logger = null;
let shadow = null;
if (!['off', 'on', 'log', 'shadow'].includes(opts.mode)) {
  throw new Error(`--mode is off, on, log or shadow, not ${opts.mode}`);
}
if (opts.mode === 'on' || opts.mode === 'log') {
  logger = new DecisionLogger({
    serviceUrl: opts.receiver,
    minDelayMs: Number(opts['min-delay-ms']),
    maxDelayMs: Number(opts['max-delay-ms']),
    bufferSize: Number(opts['buffer-size']),
  });
  engine.setDecisionLogger(logger);
}
if (opts.mode === 'on' || opts.mode === 'shadow') {
  shadow = new Shadow({ opaUrl: opts.opa, sampleRate: 1 });
  engine.setShadow(shadow);
}

function stats() {
  const s = shadow?.metrics ?? null;
  // The shadow keeps its last 100 disagreements: a few are enough in the result.
  if (s !== null) s.disagreements = s.disagreements.slice(0, 3);
  return { mode: opts.mode, logger: logger?.metrics ?? null, shadow: s };
}

const app = express();
// Benchmark endpoints, before (so outside) the authorization middleware.
app.get('/__stats', (_req, res) => {
  res.json(stats());
});
app.post('/__close', async (_req, res) => {
  let closeError = null;
  const idle = shadow === null ? true : await shadow.waitIdle(60_000);
  try {
    await logger?.close();
  } catch (e) {
    closeError = String(e);
  }
  res.json({ ...stats(), shadowIdle: idle, closeError });
});

app.use(expressAuthorization({ engine, verifier, rule: 'data.http.allow' }));
app.all('/accounts/:id', (req, res) => {
  const { claims, decision } = req.coresdk;
  res.json({ account: req.params.id, viewer: claims.sub, decisionId: decision.decisionId });
});

const server = app.listen(Number(opts.port), '127.0.0.1', () => {
  console.log(`ready on ${server.address().port} (${opts.mode})`);
});
