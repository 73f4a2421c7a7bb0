import { STATUS_CODES } from 'node:http';
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import type { ApiClient } from './auth.js';
import type { Expirable } from './deadline.js';
import { ERRORS, errorBody, type ErrorCode } from './errors.js';
import type { Route } from './route.js';

const STATUS_LINES = new Map<number, string>();
function statusLine(status: number): string {
  let line = STATUS_LINES.get(status);
  if (line === undefined) {
    line = `${status} ${STATUS_CODES[status] ?? 'Unknown'}`;
    STATUS_LINES.set(status, line);
  }
  return line;
}

const EMPTY = Buffer.alloc(0);

/**
 * Ends a reply without piling it onto a connection whose earlier replies are still unread.
 * `res.end` buffers whatever the socket cannot take, and uWS goes on parsing pipelined
 * requests: a client that sent thousands of requests and read nothing grew the process by
 * hundreds of MB. `tryEnd` writes only what the socket takes; the rest goes out as it
 * drains (onWritable), and until then uWS parses no further request on that connection —
 * a client that never reads stalls there, and uWS's timeout closes it.
 */
function endOrWait(res: HttpResponse, body: string | Buffer): void {
  const total = typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
  const [, done] = res.tryEnd(body, total);
  if (done) return;
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.onWritable((offset) => res.tryEnd(bytes.subarray(offset), total)[0]);
}

export interface ContextHooks {
  finished(ctx: HttpContext, status: number): void;
  /** The server is draining: replies close their connection (`Connection: close`). */
  readonly handingOver: boolean;
}

/**
 * Everything a handler may use about one request. uWS's `req` is only valid until the
 * handler first returns or awaits, so the constructor copies what handlers need; replies
 * after an await are corked and dropped if the client went away or the deadline answered.
 */
export class HttpContext implements Expirable {
  readonly method: string;
  readonly url: string;
  readonly query: string;
  readonly headers: Record<string, string> = {};
  readonly params: string[] = [];
  readonly remoteAddress: string;
  readonly startedAt = performance.now();
  readonly deadlineAt: number;
  body: Buffer = EMPTY;
  /**
   * The body is still arriving. A reply sent now (the deadline's) closes the connection:
   * otherwise a client trickling the rest would hold it for uWS's idle timeout (10 s).
   */
  bodyPending = false;
  client: ApiClient | null = null;
  /** What a route keeps about the request for its own later use (e.g. its deadline reply). */
  routeState: unknown = undefined;
  /** A path parameter had a malformed percent-escape (the server answers 400). */
  readonly malformedPath: boolean = false;
  done = false;
  aborted = false;
  /**
   * A check-in of this request was sent to MySQL and its outcome is not known yet (see
   * CommitWatch): a reply at the deadline must not say it failed.
   */
  inDoubt = false;
  status = 0;
  /** This request's id (request-tracking.ts), sent back as `X-Request-Id`; '' sends none. */
  requestId = '';
  /** What the access log copied at arrival; null when it is off. */
  accessFacts: unknown = null;
  /** The reply body as sent (the access log counts its bytes). */
  sentBody: string | Buffer = EMPTY;

  constructor(
    readonly res: HttpResponse,
    req: HttpRequest,
    readonly route: Route,
    private readonly hooks: ContextHooks,
    deadlineMs: number,
  ) {
    this.method = req.getCaseSensitiveMethod();
    this.url = req.getUrl();
    this.query = req.getQuery() ?? '';
    for (const name of route.headers) {
      const value = req.getHeader(name);
      if (value !== '') this.headers[name] = value;
    }
    for (let i = 0; i < route.paramCount; i++) {
      // decodeURIComponent throws on a bad escape (`%E0`, `%ZZ`): thrown here it would reach
      // uWS and end the process.
      try {
        this.params.push(decodeURIComponent(req.getParameter(i) ?? ''));
      } catch {
        this.malformedPath = true;
        this.params.push('');
      }
    }
    this.remoteAddress = route.remoteAddress ? Buffer.from(res.getRemoteAddressAsText()).toString() : '';
    this.deadlineAt = this.startedAt + deadlineMs;
  }

  /** A request header the route declared (see Route.headers), lower-case name. */
  header(name: string): string | undefined {
    return this.headers[name];
  }

  /** Sends a reply unless one was sent already. Returns false when it was too late. */
  send(status: number, body: string | Buffer, contentType: string, headers?: Record<string, string>, close = false): boolean {
    if (this.done) return false;
    this.done = true;
    this.status = status;
    this.sentBody = body;
    if (this.bodyPending || this.hooks.handingOver) close = true;
    const res = this.res;
    const requestId = this.requestId;
    res.cork(() => {
      res.writeStatus(statusLine(status));
      res.writeHeader('Content-Type', contentType);
      if (requestId !== '') res.writeHeader('X-Request-Id', requestId);
      if (headers) for (const name in headers) res.writeHeader(name, headers[name]!);
      // A reply to HEAD has no body: one would be read as the start of the next reply on a
      // keep-alive connection. (HEAD reaches only the 405/404 handlers: no route serves it.)
      if (this.method === 'HEAD') {
        if (close) res.end('', true);
        else res.endWithoutBody();
      } else if (close) res.end(body, true);
      else endOrWait(res, body);
    });
    this.hooks.finished(this, status);
    return true;
  }

  json(status: number, body: unknown, headers?: Record<string, string>): boolean {
    return this.send(status, typeof body === 'string' ? body : JSON.stringify(body), 'application/json', headers);
  }

  error(code: ErrorCode, message?: string, headers?: Record<string, string>, details?: Record<string, unknown>, close = false): boolean {
    return this.send(ERRORS[code].status, errorBody(code, message, details), 'application/json', headers, close);
  }

  /** Called by the deadline queue. */
  expire(): void {
    if (this.done) return;
    if (this.route.onDeadline) this.route.onDeadline(this);
    else this.error('DEADLINE_EXCEEDED');
  }

  /** The client went away: nothing may be written to `res` any more. */
  abort(): void {
    if (this.done) return;
    this.done = true;
    this.aborted = true;
    this.status = 499;
    this.hooks.finished(this, 499);
  }
}
