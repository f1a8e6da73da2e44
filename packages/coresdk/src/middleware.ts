/**
 * Framework middleware over {@link PolicyEngine.authorizeRequest}: they read the request
 * and write the answer, nothing more (the core decides; docs/HTTP.md). Express 4 and 5,
 * Fastify (a plugin), and framework-free functions over Node's `IncomingMessage` and the
 * Fetch API `Request` (Hono, Next.js route handlers, undici servers). No framework is a
 * dependency: the types here are structural.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HttpRequest, RequestAuthorization, RequestOptions } from './http.js';
import type { PolicyEngine } from './policy.js';
import type { TokenVerifier } from './token.js';

/** What every middleware is configured with. */
export interface AuthorizationOptions extends RequestOptions {
  /** The engine that decides. */
  engine: PolicyEngine;
  /** Verifies the bearer token (once per request). */
  verifier: TokenVerifier;
  /** The rule path (e.g. `data.http.allow`), or a function choosing it per request. */
  rule: string | ((request: HttpRequest) => string);
  /**
   * The span serving the request, for the decision log's `trace_id` / `span_id`: with
   * OpenTelemetry, `() => trace.getActiveSpan()?.spanContext()`. Default: the request's
   * W3C `traceparent` header.
   */
  traceContext?: () => { traceId: string; spanId: string } | undefined;
}

/** A request the middleware has let through: its answer (claims, decision) is attached. */
export interface AuthorizedRequest {
  coresdk: RequestAuthorization;
}

/** The {@link HttpRequest} of a Node request (`clientAddress`: the socket's peer unless given). */
export function nodeHttpRequest(req: IncomingMessage, clientAddress?: string): HttpRequest {
  return {
    method: req.method ?? 'GET',
    target: req.url ?? '/',
    headers: req.rawHeaders,
    clientAddress: clientAddress ?? req.socket?.remoteAddress,
  };
}

/** The {@link HttpRequest} of a Fetch API `Request` (its URL's path and query are the target). */
export function fetchHttpRequest(req: Request, clientAddress?: string): HttpRequest {
  const url = new URL(req.url);
  const headers: Array<[string, string]> = [];
  req.headers.forEach((value, name) => {
    headers.push([name, value]);
  });
  return { method: req.method, target: `${url.pathname}${url.search}`, headers, clientAddress };
}

/** Authorizes any {@link HttpRequest} with the middleware options. */
export function authorizeHttpRequest(
  request: HttpRequest,
  options: AuthorizationOptions,
): Promise<RequestAuthorization> {
  const rule = typeof options.rule === 'function' ? options.rule(request) : options.rule;
  const span = request.traceId === undefined ? options.traceContext?.() : undefined;
  const traced = span === undefined ? request : { ...request, traceId: span.traceId, spanId: span.spanId };
  return options.engine.authorizeRequest(options.verifier, rule, traced, options);
}

/** The headers and body of a refusal (`application/problem+json`), or null when allowed. */
export function problemParts(a: RequestAuthorization): { headers: Record<string, string>; body: string } | null {
  if (a.allowed || a.problem === null) return null;
  const headers: Record<string, string> = { 'content-type': 'application/problem+json' };
  if (a.wwwAuthenticate !== null) headers['www-authenticate'] = a.wwwAuthenticate;
  return { headers, body: JSON.stringify(a.problem) };
}

/** Writes a refusal to a Node response; returns false (writing nothing) when the request is allowed. */
export function writeRefusal(res: ServerResponse, a: RequestAuthorization): boolean {
  const parts = problemParts(a);
  if (parts === null) return false;
  res.writeHead(a.status, parts.headers);
  res.end(parts.body);
  return true;
}

/** A refusal as a Fetch API `Response`, or null when the request is allowed. */
export function refusalResponse(a: RequestAuthorization): Response | null {
  const parts = problemParts(a);
  return parts === null ? null : new Response(parts.body, { status: a.status, headers: parts.headers });
}

type ExpressRequest = IncomingMessage & { originalUrl?: string; ip?: string } & Partial<AuthorizedRequest>;
type ExpressResponse = ServerResponse & { locals?: Record<string, unknown> };
type Next = (error?: unknown) => void;

/**
 * Express (4 and 5) middleware: a refused request gets its status and problem body; an
 * allowed one goes on with the answer as `req.coresdk` (and `res.locals.coresdk`). The
 * client address is `req.ip` (Express's `trust proxy` setting applies). Mount one per
 * route for per-route rules, or pass a `rule` function.
 */
export function expressAuthorization(options: AuthorizationOptions) {
  return (req: ExpressRequest, res: ExpressResponse, next: Next): void => {
    const request = nodeHttpRequest(req, req.ip);
    request.target = req.originalUrl ?? request.target;
    authorizeHttpRequest(request, options).then(
      (a) => {
        if (writeRefusal(res, a)) return;
        req.coresdk = a;
        if (res.locals) res.locals.coresdk = a;
        next();
      },
      (error: unknown) => next(error),
    );
  };
}

interface FastifyRequestLike {
  raw: IncomingMessage;
  ip?: string;
  coresdk?: RequestAuthorization | null;
}
interface FastifyReplyLike {
  code(status: number): FastifyReplyLike;
  headers(values: Record<string, string>): FastifyReplyLike;
  send(body: string): unknown;
}
interface FastifyLike {
  decorateRequest(name: 'coresdk', value: null): unknown;
  addHook(name: 'onRequest', hook: (request: FastifyRequestLike, reply: FastifyReplyLike) => Promise<unknown>): unknown;
}

/**
 * A Fastify (v5) plugin: an `onRequest` hook that refuses with the problem body or lets the
 * request through with the answer as `request.coresdk`. Like a `fastify-plugin` plugin it
 * guards the scope it is registered in (`app.register(fastifyAuthorization, options)`);
 * register it inside a child scope to guard only that scope's routes.
 */
export async function fastifyAuthorization(fastify: FastifyLike, options: AuthorizationOptions): Promise<void> {
  fastify.decorateRequest('coresdk', null);
  fastify.addHook('onRequest', async (request, reply) => {
    const a = await authorizeHttpRequest(nodeHttpRequest(request.raw, request.ip), options);
    const parts = problemParts(a);
    if (parts !== null) return reply.code(a.status).headers(parts.headers).send(parts.body);
    request.coresdk = a;
    return undefined;
  });
}

// What `fastify-plugin` sets: the hook belongs to the registering scope, not a new child one.
Object.defineProperty(fastifyAuthorization, Symbol.for('skip-override'), { value: true });
