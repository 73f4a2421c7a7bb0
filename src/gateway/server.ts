import uWS from 'uWebSockets.js';
import type { ApiKeyAuth } from './auth.js';
import { DeadlineQueue } from './deadline.js';
import { FramingQuarantine, framingError } from './framing.js';
import { HttpContext, type ContextHooks } from './http-context.js';
import type { RateLimiter } from './rate-limit.js';
import { route, type Method, type Route } from './route.js';

export interface ServerOptions {
  readonly host: string;
  readonly port: number;
  readonly exclusivePort: boolean;
  readonly maxBodyBytes: number;
  readonly requestDeadlineMs: number;
  /** Drain ends once no request arrived for this long (see `stop`). */
  readonly drainQuietMs: number;
}

export interface ServerDeps {
  readonly auth: ApiKeyAuth;
  readonly rateLimiter: RateLimiter;
  readonly onFinished: (route: string, status: number, seconds: number, ctx: HttpContext) => void;
  /** Called for every request as it arrives, while `req` is valid (request id, access log). */
  readonly onAccepted?: (ctx: HttpContext, req: uWS.HttpRequest, res: uWS.HttpResponse) => void;
  readonly onError: (e: unknown, ctx: HttpContext) => void;
}

/**
 * Refuses the pure-JS fallback: the npm package silently degrades to a slow server when
 * its native binary does not load on this platform.
 */
export function assertNativeUws(): void {
  if (typeof (uWS as { SSLApp?: unknown }).SSLApp !== 'function') {
    throw new Error(
      'uWebSockets.js native binding did not load (pure-JS fallback in use); ' +
        'hopgate needs the native build: check the uWebSockets.js npm alias and the glibc/Node versions',
    );
  }
}

/**
 * The HTTP front end. Each request goes through small named stages:
 * accept (copy req, arm abort + deadline) → read body (bounded) → authenticate →
 * rate-limit → handler. No request waits without a deadline.
 */
export class HttpServer implements ContextHooks {
  private readonly app = uWS.App();
  private listenSocket: uWS.us_listen_socket | null = null;
  private readonly deadlines = new Map<number, DeadlineQueue>();
  private inflight = 0;
  private readonly quarantine = new FramingQuarantine();
  private requests = 0;
  accepting = true;
  /** Draining: every reply closes its connection, so keep-alive clients reconnect elsewhere. */
  handingOver = false;
  port = 0;

  constructor(
    private readonly opts: ServerOptions,
    private readonly deps: ServerDeps,
    routes: readonly Route[],
  ) {
    const methodsByPattern = new Map<string, Method[]>();
    for (const r of routes) {
      this.app[r.method](r.pattern, (res, req) => {
        this.accept(res, req, r);
      });
      methodsByPattern.set(r.pattern, [...(methodsByPattern.get(r.pattern) ?? []), r.method]);
    }
    for (const [pattern, methods] of methodsByPattern) {
      const allow = methods.map((m) => (m === 'del' ? 'DELETE' : m.toUpperCase())).join(', ');
      const notAllowed = notAllowedRoute(pattern);
      this.app.any(pattern, (res, req) => {
        const ctx = this.accept(res, req, notAllowed, false);
        ctx.error('METHOD_NOT_ALLOWED', undefined, { Allow: allow });
      });
    }
    const notFound = notFoundRoute();
    this.app.any('/*', (res, req) => {
      const ctx = this.accept(res, req, notFound, false);
      ctx.error('NOT_FOUND', `no route for ${ctx.method.toUpperCase()} ${ctx.url}`);
    });
  }

  /** The uWS app, for WebSocket routes on the same port (the dashboard's feed). */
  get uwsApp(): uWS.TemplatedApp {
    return this.app;
  }

  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      const options = this.opts.exclusivePort ? 1 : 0;
      // The (host, port, options, cb) overload exists natively but is missing from the typings.
      const listen = this.app.listen as unknown as (
        host: string,
        port: number,
        options: number,
        cb: (socket: uWS.us_listen_socket | false) => void,
      ) => void;
      listen.call(this.app, this.opts.host, this.opts.port, options, (socket) => {
        if (!socket) {
          reject(new Error(`cannot listen on ${this.opts.host}:${this.opts.port} (in use, or not permitted)`));
          return;
        }
        this.listenSocket = socket;
        this.port = uWS.us_socket_local_port(socket as unknown as uWS.us_socket);
        resolve(this.port);
      });
    });
  }

  /**
   * Drains for a rolling restart (docs/architecture.md, "Zero-downtime restart"): stops
   * listening, so new connections reach the process now sharing the port; goes on serving
   * the connections it has, each reply with `Connection: close`, so every keep-alive client
   * moves over after its next reply instead of being cut mid-request; resolves once nothing
   * is in flight and no request arrived for `drainQuietMs` (or after `timeoutMs`). Requests
   * after that get 503 SHUTTING_DOWN.
   */
  async stop(timeoutMs: number): Promise<void> {
    this.handingOver = true;
    if (this.listenSocket) uWS.us_listen_socket_close(this.listenSocket);
    this.listenSocket = null;
    const until = performance.now() + timeoutMs;
    let seen = -1;
    while ((this.inflight > 0 || this.requests !== seen) && performance.now() < until) {
      seen = this.requests;
      await new Promise((resolve) => setTimeout(resolve, Math.min(this.opts.drainQuietMs, Math.max(1, until - performance.now()))));
    }
    this.accepting = false;
    for (const q of this.deadlines.values()) q.close();
  }

  /** Forcefully closes every connection (after draining). */
  close(): void {
    // Present natively in this build, missing from its typings.
    (this.app as unknown as { close(): void }).close();
  }

  finished(ctx: HttpContext, status: number): void {
    this.inflight--;
    this.deps.onFinished(ctx.route.name, status, (performance.now() - ctx.startedAt) / 1000, ctx);
  }

  private accept(res: uWS.HttpResponse, req: uWS.HttpRequest, route: Route, run = true): HttpContext {
    const deadlineMs = route.deadlineMs ?? this.opts.requestDeadlineMs;
    const ctx = new HttpContext(res, req, route, this, deadlineMs);
    this.deps.onAccepted?.(ctx, req, res);
    this.inflight++;
    this.requests++;
    res.onAborted(() => ctx.abort());
    if (ctx.malformedPath) {
      // A body left unread would be parsed as the next request: close instead.
      ctx.error('BAD_REQUEST', 'the path has a malformed percent-escape', undefined, undefined, route.readBody);
      return ctx;
    }
    if (ctx.header('content-length') !== undefined || this.quarantine.holds(res)) {
      const framing = this.quarantine.holds(res) ? 'the request follows a badly framed one' : framingError(req);
      if (framing !== null) {
        // Where this request ends is ambiguous: close rather than read the rest as a request.
        this.quarantine.quarantine(res);
        ctx.error('BAD_REQUEST', framing, undefined, undefined, true);
        return ctx;
      }
    }
    if (!run) return ctx;
    this.deadlineQueue(deadlineMs).add(ctx);
    if (!route.readBody) {
      this.authorize(ctx);
      return ctx;
    }
    const limit = route.maxBodyBytes ?? this.opts.maxBodyBytes;
    const declared = Number(ctx.header('content-length') ?? '0');
    if (declared > limit) {
      ctx.error('PAYLOAD_TOO_LARGE', `the body must not exceed ${limit} bytes`, undefined, undefined, true);
      return ctx;
    }
    readBody(ctx, limit, this);
    return ctx;
  }

  /** @internal stage: authenticate, rate-limit, then run the handler */
  authorize(ctx: HttpContext): void {
    if (ctx.done) return;
    const route = ctx.route;
    if (route.auth !== 'none') {
      const key = ctx.header('x-api-key');
      const client = key === undefined ? null : this.deps.auth.authenticate(key);
      if (!client) {
        ctx.error('UNAUTHENTICATED');
        return;
      }
      if (route.auth === 'admin' && client.role !== 'admin') {
        ctx.error('FORBIDDEN', 'this operation needs an admin API key');
        return;
      }
      ctx.client = client;
      if (!route.unlimited) {
        const wait = this.deps.rateLimiter.take(client.id);
        if (wait > 0) {
          ctx.error('RATE_LIMITED', undefined, { 'Retry-After': String(wait) });
          return;
        }
      }
    }
    if (!this.accepting && route.name !== '/healthz' && route.name !== '/readyz' && route.name !== '/metrics') {
      ctx.error('SHUTTING_DOWN', undefined, { 'Retry-After': '1', Connection: 'close' });
      return;
    }
    runHandler(ctx, this.deps.onError);
  }

  private deadlineQueue(ms: number): DeadlineQueue {
    let q = this.deadlines.get(ms);
    if (!q) {
      q = new DeadlineQueue(ms);
      this.deadlines.set(ms, q);
    }
    return q;
  }
}

function readBody(ctx: HttpContext, limit: number, server: HttpServer): void {
  let chunks: Buffer[] | null = null;
  let size = 0;
  ctx.bodyPending = true;
  ctx.res.onData((chunk, isLast) => {
    if (ctx.done) return;
    size += chunk.byteLength;
    if (size > limit) {
      ctx.error('PAYLOAD_TOO_LARGE', `the body must not exceed ${limit} bytes`, undefined, undefined, true);
      return;
    }
    // uWS reuses the chunk's memory after this callback returns: copy it.
    const copy = Buffer.from(new Uint8Array(chunk));
    if (isLast) {
      ctx.bodyPending = false;
      ctx.body = chunks === null ? copy : Buffer.concat([...chunks, copy], size);
      server.authorize(ctx);
    } else {
      (chunks ??= []).push(copy);
    }
  });
}

function runHandler(ctx: HttpContext, onError: ServerDeps['onError']): void {
  try {
    const pending = ctx.route.handle(ctx);
    if (pending) pending.catch((e: unknown) => internalError(ctx, e, onError));
  } catch (e) {
    internalError(ctx, e, onError);
  }
}

function internalError(ctx: HttpContext, e: unknown, onError: ServerDeps['onError']): void {
  onError(e, ctx);
  ctx.error('INTERNAL');
}

function notAllowedRoute(pattern: string): Route {
  return route('get', pattern, () => {}, { auth: 'none', readBody: false });
}

function notFoundRoute(): Route {
  return route('get', '/*', () => {}, { auth: 'none', readBody: false, name: 'unmatched' });
}
