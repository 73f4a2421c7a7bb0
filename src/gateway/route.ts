import type { HttpContext } from './http-context.js';

export type Method = 'get' | 'post' | 'put' | 'patch' | 'del';

/** One route: a pattern, what it requires, and a module-level handler. */
export interface Route {
  readonly method: Method;
  /** uWS pattern, e.g. `/v1/users/:msisdn`. */
  readonly pattern: string;
  /** Metrics label (the pattern by default). */
  readonly name: string;
  readonly auth: 'none' | 'client' | 'admin';
  /** Read the request body (bounded by http.maxBodyBytes) before calling the handler. */
  readonly readBody: boolean;
  readonly paramCount: number;
  /** Overrides http.maxBodyBytes (peer sites' sync batches are larger than any API body). */
  readonly maxBodyBytes?: number;
  /** Overrides http.requestDeadlineMs (USSD answers within its own, shorter budget). */
  readonly deadlineMs?: number;
  /** What to answer when the deadline passes (default: 504 DEADLINE_EXCEEDED). */
  readonly onDeadline?: (ctx: HttpContext) => void;
  /** Exempt from the per-client rate limit (probes and metrics). */
  readonly unlimited?: boolean;
  /**
   * Request headers (lower case) the handler reads, beyond the ones every route gets
   * (content-type, content-length, x-api-key, idempotency-key). uWS's request object dies
   * at the first await, so only these are copied.
   */
  readonly headers: readonly string[];
  /** Copy the peer address (source allow-lists). */
  readonly remoteAddress: boolean;
  readonly handle: (ctx: HttpContext) => void | Promise<void>;
}

const BASE_HEADERS = ['content-type', 'content-length', 'x-api-key', 'idempotency-key'];

export function route(
  method: Method,
  pattern: string,
  handle: Route['handle'],
  opts: Partial<Omit<Route, 'method' | 'pattern' | 'handle' | 'paramCount'>> = {},
): Route {
  return {
    method,
    pattern,
    name: opts.name ?? pattern,
    auth: opts.auth ?? 'client',
    readBody: opts.readBody ?? (method === 'post' || method === 'put' || method === 'patch'),
    paramCount: (pattern.match(/:[A-Za-z]+/g) ?? []).length,
    ...(opts.deadlineMs !== undefined ? { deadlineMs: opts.deadlineMs } : {}),
    ...(opts.maxBodyBytes !== undefined ? { maxBodyBytes: opts.maxBodyBytes } : {}),
    ...(opts.onDeadline ? { onDeadline: opts.onDeadline } : {}),
    ...(opts.unlimited ? { unlimited: true } : {}),
    headers: [...BASE_HEADERS, ...(opts.headers ?? []).map((h) => h.toLowerCase()).filter((h) => !BASE_HEADERS.includes(h))],
    remoteAddress: opts.remoteAddress ?? false,
    handle,
  };
}
