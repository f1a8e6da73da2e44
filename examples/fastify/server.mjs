// A Fastify 5 service guarded by CoreSDK: `node server.mjs [port]` (0 picks a free one).
// GET /accounts/:id needs a bearer token the policy allows; GET /health needs none.
import { fileURLToPath } from 'node:url';
import { fastifyAuthorization, PolicyEngine, TokenVerifier } from 'coresdk';
import Fastify from 'fastify';

// A demo HS256 secret so the example runs alone; production services verify with the
// identity provider's keys (`new TokenVerifier({ jwksUrl })`).
const DEMO_SECRET = 'coresdk-example-secret';

const engine = new PolicyEngine({ paths: [fileURLToPath(new URL('../policy/http.rego', import.meta.url))] });
const verifier = new TokenVerifier({ keys: [{ algorithm: 'HS256', secret: DEMO_SECRET }] });

const app = Fastify();
app.register(async (open) => {
  await open.register(fastifyAuthorization, { engine, verifier, rule: 'data.http.allow', tokenOptional: true });
  open.get('/health', async () => ({ ok: true }));
});
app.register(async (guarded) => {
  await guarded.register(fastifyAuthorization, { engine, verifier, rule: 'data.http.allow' });
  guarded.get('/accounts/:id', async (request) => ({
    account: request.params.id,
    viewer: request.coresdk.claims.sub,
    decisionId: request.coresdk.decision.decisionId,
  }));
});

const url = await app.listen({ port: Number(process.argv[2] ?? 3000), host: '127.0.0.1' });
console.log(`listening on ${url}`);
