import type { HttpContext } from '../http-context.js';
import { nestedDeeperThan } from './json-depth.js';

/** Deeper than any body of this API needs (they are flat objects). */
export const MAX_JSON_DEPTH = 32;

/**
 * Parses a JSON object body, answering 415/400 itself. Returns null when it replied.
 */
export function jsonObjectBody(ctx: HttpContext): Record<string, unknown> | null {
  const type = ctx.header('content-type') ?? '';
  if (!/^application\/json\s*(;|$)/i.test(type)) {
    ctx.error('UNSUPPORTED_MEDIA_TYPE', 'the request body must be application/json');
    return null;
  }
  const text = ctx.body.toString('utf8');
  if (nestedDeeperThan(text, MAX_JSON_DEPTH)) {
    ctx.error('BAD_JSON', `the JSON body nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels`);
    return null;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
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
