import type { HttpContext } from '../http-context.js';

/**
 * Parses a JSON object body, answering 415/400 itself. Returns null when it replied.
 */
export function jsonObjectBody(ctx: HttpContext): Record<string, unknown> | null {
  const type = ctx.header('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    ctx.error('UNSUPPORTED_MEDIA_TYPE', 'the request body must be application/json');
    return null;
  }
  let value: unknown;
  try {
    value = JSON.parse(ctx.body.toString('utf8'));
  } catch {
    ctx.error('BAD_JSON');
    return null;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    ctx.error('BAD_JSON', 'the request body must be a JSON object');
    return null;
  }
  return value as Record<string, unknown>;
}
