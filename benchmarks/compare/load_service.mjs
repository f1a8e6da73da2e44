// The Node HTTP service of the load benchmark: every request is authorized by a policy
// decision, from CoreSDK in process (`--engine coresdk`, `evaluateSync` on OPA's RBAC
// example) or from an OPA server over a keep-alive connection (`--engine opa --opa PORT`).
// `GET /pets/<type>` reads, `PUT` updates; the user is the `x-user` header. Answers 200
// with `{"allow": <decision>}`. `GET /__stats` returns the decision latencies (µs) seen so
// far and resets them.
//   node benchmarks/compare/load_service.mjs --port 18080 --engine coresdk|opa [--opa 8181]
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');
const { values: opts } = parseArgs({
  options: { port: { type: 'string' }, engine: { type: 'string' }, opa: { type: 'string' } },
});
const example = join(root, 'packages/coresdk/examples/rbac');

function coresdkDecider() {
  const { PolicyEngine } = createRequire(join(root, 'package.json'))(join(root, 'packages/coresdk'));
  const engine = PolicyEngine.create({
    paths: [join(example, 'policy.rego')],
    data: JSON.parse(readFileSync(join(example, 'data.json'), 'utf8')),
  });
  return async (input) => engine.evaluateSync('data.rbac.allow', input).result;
}

function opaDecider(port) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  return (input) =>
    new Promise((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port, path: '/v1/data/rbac/allow', method: 'POST', agent },
        (res) => {
          let text = '';
          res.on('data', (c) => (text += c));
          res.on('end', () => resolve(JSON.parse(text).result));
        },
      );
      req.on('error', reject);
      req.end(JSON.stringify({ input }));
    });
}

const decide = opts.engine === 'opa' ? opaDecider(Number(opts.opa)) : coresdkDecider();
let latencies = [];

http
  .createServer(async (req, res) => {
    if (req.url === '/__stats') {
      res.end(JSON.stringify(latencies));
      latencies = [];
      return;
    }
    const input = {
      user: req.headers['x-user'],
      action: req.method === 'GET' ? 'read' : 'update',
      type: req.url.split('/')[2],
    };
    const t0 = process.hrtime.bigint();
    try {
      const allow = await decide(input);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1000);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ allow }));
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  })
  .listen(Number(opts.port), '127.0.0.1', () => console.log('ready'));
