import { isEventType, type DeadLetterRepository } from '../../store/mysql/dead-letters.js';
import type { HttpContext } from '../http-context.js';
import { route, type Route } from '../route.js';
import { jsonObjectBody } from './json-body.js';

export interface DeadLetterDeps {
  readonly deadLetters: DeadLetterRepository;
  /** Dispatches revived work at once instead of at the next recovery pass. */
  readonly recoverNow: () => void;
}

const ID = /^[0-9]{1,20}$/;

/** Admin: list and replay parked events (docs/events.md). */
export function deadLetterRoutes(deps: DeadLetterDeps): Route[] {
  return [
    route('get', '/admin/dead-letters', (ctx) => list(ctx, deps), { auth: 'admin' }),
    route('post', '/admin/dead-letters/replay', (ctx) => replay(ctx, deps), { auth: 'admin' }),
  ];
}

async function list(ctx: HttpContext, deps: DeadLetterDeps): Promise<void> {
  const q = new URLSearchParams(ctx.query);
  const limit = q.get('limit') === null ? 100 : Number(q.get('limit'));
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return void ctx.error('VALIDATION_FAILED', 'limit must be an integer 1–1000');
  const after = q.get('after');
  if (after !== null && !ID.test(after)) return void ctx.error('VALIDATION_FAILED', 'after must be a check-in id');
  const event = q.get('event');
  if (event !== null && !isEventType(event)) return void ctx.error('VALIDATION_FAILED', 'event must be one of the five event names');
  const items = await deps.deadLetters.list({ limit, ...(after ? { after } : {}), ...(event ? { event } : {}) });
  const last = items.at(-1);
  ctx.json(200, { items, next: items.length === limit && last ? last.checkinId : null });
}

async function replay(ctx: HttpContext, deps: DeadLetterDeps): Promise<void> {
  const body = jsonObjectBody(ctx);
  if (!body) return;
  const { ids, all, event } = body;
  if (event !== undefined && !isEventType(event)) return void ctx.error('VALIDATION_FAILED', 'event must be one of the five event names');
  if (all !== undefined && typeof all !== 'boolean') return void ctx.error('VALIDATION_FAILED', 'all must be a boolean');
  if (ids !== undefined && (!Array.isArray(ids) || ids.length > 1000 || !ids.every((id) => typeof id === 'string' && ID.test(id)))) {
    return void ctx.error('VALIDATION_FAILED', 'ids must be an array of at most 1000 check-in ids (strings)');
  }
  if (all !== true && (ids === undefined || ids.length === 0)) return void ctx.error('VALIDATION_FAILED', 'give ids, or all: true');
  const replayed = await deps.deadLetters.replay({
    ...(all === true ? { all: true } : { ids: ids as string[] }),
    ...(event !== undefined ? { event } : {}),
  });
  if (replayed > 0) deps.recoverNow();
  ctx.json(200, { replayed });
}
