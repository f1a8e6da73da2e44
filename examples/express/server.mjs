// An Express 5 service guarded by CoreSDK: `node server.mjs [port]` (0 picks a free one).
// GET /accounts/:id needs a bearer token the policy allows; GET /health needs none.
import { fileURLToPath } from 'node:url';
import { expressAuthorization, PolicyEngine, TokenVerifier } from 'coresdk';
import express from 'express';

// A demo HS256 secret so the example runs alone; production services verify with the
// identity provider's keys (`new TokenVerifier({ jwksUrl })`).
const DEMO_SECRET = 'coresdk-example-secret';

const engine = new PolicyEngine({ paths: [fileURLToPath(new URL('../policy/http.rego', import.meta.url))] });
const verifier = new TokenVerifier({ keys: [{ algorithm: 'HS256', secret: DEMO_SECRET }] });

const app = express();
app.get(
  '/health',
  expressAuthorization({ engine, verifier, rule: 'data.http.allow', tokenOptional: true }),
  (_req, res) => {
    res.json({ ok: true });
  },
);
app.get('/accounts/:id', expressAuthorization({ engine, verifier, rule: 'data.http.allow' }), (req, res) => {
  const { claims, decision } = req.coresdk;
  res.json({ account: req.params.id, viewer: claims.sub, decisionId: decision.decisionId });
});

const server = app.listen(Number(process.argv[2] ?? 3000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`);
});
