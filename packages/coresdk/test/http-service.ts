// The service the middleware tests put behind each framework: one policy, one HS256
// verifier, tokens signed here, and a loopback HTTP client.
import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PolicyEngine, TokenVerifier } from '../src/index.js';

const SECRET = 'coresdk-middleware-test-secret';
const b64url = (b: string | Buffer) => Buffer.from(b).toString('base64url');

export const POLICY = `package http

default allow := false

allow if input.claims.role == "admin"

allow if {
	input.method == "GET"
	input.parsed_path == ["accounts", input.claims.sub]
}

public if input.parsed_path[0] == "health"
`;

/** A token for `sub` with `role`, valid for ten minutes unless `expiresIn` says otherwise. */
export function token(sub: string, role: string, expiresIn = 600, secret = SECRET): string {
  const exp = Math.floor(Date.now() / 1000) + expiresIn;
  const input = `${b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64url(JSON.stringify({ sub, role, exp }))}`;
  return `${input}.${b64url(createHmac('sha256', secret).update(input).digest())}`;
}

export function service(failOpen = false) {
  return {
    engine: new PolicyEngine({ modules: { 'http.rego': POLICY }, failOpen }),
    verifier: new TokenVerifier({ keys: [{ algorithm: 'HS256', secret: SECRET }] }),
  };
}

/** The base URL of a server listening on loopback. */
export async function listen(server: Server): Promise<string> {
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

export interface Reply {
  status: number;
  type: string | null;
  challenge: string | null;
  text: string;
  body: any;
}

/** GETs (or `method`s) `url` with the bearer `tok` and extra headers. */
export async function send(
  url: string,
  tok?: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Reply> {
  const auth: Record<string, string> = tok === undefined ? {} : { authorization: `Bearer ${tok}` };
  const res = await fetch(url, { method, headers: { ...auth, ...headers } });
  const text = await res.text();
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return {
    status: res.status,
    type: res.headers.get('content-type'),
    challenge: res.headers.get('www-authenticate'),
    text,
    body,
  };
}
