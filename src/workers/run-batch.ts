import { ALL_EVENTS_MASK, EVENT_BIT, type EventType } from '../core/events.js';
import { sqlIds } from '../store/mysql/sql-ids.js';
import { retryDelayMs } from '../core/event-retry.js';
import { isUnavailableError } from '../store/mysql/pool.js';
import { recordAttemptFailure } from '../store/mysql/work-failures.js';
import { EventError } from './coded-error.js';
import { failure, type EventFailure } from './errors.js';
import type { EventHandler } from './handlers/handler.js';
import { leaderboardUpdate } from './handlers/leaderboard-update.js';
import { notifyUser } from './handlers/notify-user.js';
import { pointsAward } from './handlers/points-award.js';
import { skipperEvaluate } from './handlers/skipper-evaluate.js';
import { statsRecord } from './handlers/stats-record.js';
import { loadBatch } from './load-batch.js';
import { isLockConflict, queryRetrying } from './sql.js';
import type { EventBatchReport, EventBatchTask, EventTally, FailureCount } from './protocol.js';
import type { WorkerContext } from './worker-context.js';
import type { HandlerFailure, HandlerOutcome, WorkItem } from './work-item.js';

/** In dependency order: a handler runs after those named in its `after`. */
export const HANDLERS: readonly EventHandler[] = [pointsAward, leaderboardUpdate, skipperEvaluate, notifyUser, statsRecord];

interface BatchState {
  readonly firstError: Map<string, string>;
  readonly failureCounts: Map<string, FailureCount & { count: number }>;
}

/**
 * Runs every pending event of a batch of check-ins, handler by handler (each one query set
 * for the whole batch), then records failures: one more attempt with backoff, or a dead
 * letter once attempts are exhausted. Items fully done report their commit → done lag.
 */
export async function runBatch(ctx: WorkerContext, task: EventBatchTask): Promise<EventBatchReport> {
  const queuedMs = Math.max(0, Date.now() - task.dispatchedMs);
  const items = await loadBatch(ctx.mysql, task.ids);
  const state: BatchState = { firstError: new Map(), failureCounts: new Map() };
  const tallies: EventTally[] = [];
  const failedByEvent = new Map<EventType, Set<string>>();
  /** Bits of handlers whose completion the runner records (handler.clearsOwnBit false). */
  let deferredMask = 0;
  let deferredCleared = false;
  for (const h of HANDLERS) {
    const bit = EVENT_BIT[h.event];
    let depMask = 0;
    for (const dep of h.after) depMask |= EVENT_BIT[dep];
    const ready: WorkItem[] = [];
    const blocked: HandlerFailure[] = [];
    for (const item of items) {
      if ((item.pending & bit) === 0) continue;
      if ((item.pending & depMask) !== 0) {
        blocked.push({ id: item.id, ...failure('EVENT_WAITING_FOR_POINTS', `${h.event} waits for ${h.after.join(', ')}`) });
      } else {
        ready.push(item);
      }
    }
    if (ready.length === 0 && blocked.length === 0) continue;
    const started = performance.now();
    let outcome = EMPTY_OUTCOME;
    if (ready.length > 0 && h.takesDeferredClears && !deferredCleared) {
      try {
        outcome = await h.run(ctx, ready, deferredClears(items, deferredMask));
        deferredCleared = true;
      } catch {
        outcome = await runIsolated(ctx, h, ready);
      }
    } else if (ready.length > 0) {
      outcome = await runIsolated(ctx, h, ready);
    }
    const ms = performance.now() - started;
    const byId = indexItems(ready);
    for (const id of outcome.done) {
      const item = byId.get(id);
      if (item) item.pending &= ~bit;
    }
    if (!h.clearsOwnBit) deferredMask |= bit;
    const failed = new Set<string>();
    for (const f of [...outcome.failed, ...blocked]) {
      failed.add(f.id);
      noteFailure(state, h.event, f);
    }
    failedByEvent.set(h.event, failed);
    tallies.push({ event: h.event, handled: outcome.done.length, failed: failed.size, parked: 0, ms });
  }
  if (!deferredCleared) await clearDeferred(ctx, items, deferredMask);
  const parkedIds = await recordFailures(ctx, items, state);
  const lagsMs: number[] = [];
  const now = Date.now();
  for (const item of items) if (item.pending === 0) lagsMs.push(now - item.committedMs);
  return {
    ok: true,
    loaded: items.length,
    tallies: tallies.map((t) => ({ ...t, parked: countIn(failedByEvent.get(t.event), parkedIds) })),
    failures: [...state.failureCounts.values()],
    lagsMs,
    queuedMs,
  };
}

const EMPTY_OUTCOME: HandlerOutcome = { done: [], failed: [] };

/**
 * Runs a handler on the batch; if it throws, runs it item by item so that one poison
 * check-in fails alone — unless the cause is an unreachable database or Redis, which would
 * fail every item the same way.
 */
async function runIsolated(ctx: WorkerContext, h: EventHandler, items: readonly WorkItem[]): Promise<HandlerOutcome> {
  try {
    return await h.run(ctx, items);
  } catch (e) {
    const f = toFailure(e);
    if (items.length === 1 || isOutage(e)) {
      if (f.code === 'EVENT_HANDLER_CRASH') ctx.log.error({ err: e, event: h.event }, 'event handler crashed');
      return { done: [], failed: items.map((i) => ({ id: i.id, ...f })) };
    }
    const done: string[] = [];
    const failed: HandlerFailure[] = [];
    for (const item of items) {
      const one = await runIsolated(ctx, h, [item]);
      done.push(...one.done);
      failed.push(...one.failed);
    }
    return { done, failed };
  }
}

export function toFailure(e: unknown): EventFailure {
  const message = e instanceof Error ? e.message : String(e);
  if (e instanceof EventError) return failure(e.code, message);
  const code = (e as { code?: unknown } | null)?.code;
  if (isUnavailableError(e) || (typeof code === 'string' && code.startsWith('ER_'))) return failure('EVENT_DB_ERROR', message);
  return failure('EVENT_HANDLER_CRASH', message);
}

/**
 * Causes that would fail every item the same way, so retrying item by item would only cost
 * time: an unreachable database or Redis, or a lock collision with another batch (the
 * items are retried with backoff instead).
 */
function isOutage(e: unknown): boolean {
  return isUnavailableError(e) || isLockConflict(e) || (e instanceof EventError && e.code === 'EVENT_REDIS_ERROR');
}

function noteFailure(state: BatchState, event: EventType, f: HandlerFailure): void {
  if (!state.firstError.has(f.id)) state.firstError.set(f.id, `${event}: ${f.code}: ${f.message}`);
  const key = `${event}\u0000${f.code}`;
  const c = state.failureCounts.get(key);
  if (c) c.count++;
  else state.failureCounts.set(key, { event, code: f.code, count: 1 });
}

/**
 * Clears, in one statement per distinct mask, the bits of completed events whose handlers
 * left that to the runner. `loaded` is the pending mask each item had when loaded.
 */
async function clearDeferred(ctx: WorkerContext, items: readonly WorkItem[], deferredMask: number): Promise<void> {
  if (deferredMask === 0) return;
  for (const [mask, ids] of deferredClears(items, deferredMask)) {
    await queryRetrying(ctx.mysql, `UPDATE checkin_work SET pending = pending & ${ALL_EVENTS_MASK & ~mask} WHERE checkin_id IN (?)`, [sqlIds(ids)]);
  }
}

/** Completed bits left to the runner, grouped by mask. */
function deferredClears(items: readonly WorkItem[], deferredMask: number): Map<number, string[]> {
  const byMask = new Map<number, string[]>();
  if (deferredMask === 0) return byMask;
  for (const item of items) {
    const doneBits = item.loadedPending & ~item.pending & deferredMask;
    if (doneBits === 0) continue;
    const list = byMask.get(doneBits);
    if (list) list.push(item.id);
    else byMask.set(doneBits, [item.id]);
  }
  return byMask;
}

/** One UPDATE per distinct (error, attempts); returns the ids parked as dead letters. */
async function recordFailures(ctx: WorkerContext, items: readonly WorkItem[], state: BatchState): Promise<Set<string>> {
  const groups = new Map<string, { error: string; attempts: number; ids: string[] }>();
  const parked = new Set<string>();
  const { maxAttempts, backoffBaseMs, backoffMaxMs } = ctx.config.pool;
  for (const item of items) {
    const error = state.firstError.get(item.id);
    if (error === undefined || item.pending === 0) continue;
    if (item.attempts + 1 >= maxAttempts) parked.add(item.id);
    const key = `${item.attempts}\u0000${error}`;
    const g = groups.get(key);
    if (g) g.ids.push(item.id);
    else groups.set(key, { error, attempts: item.attempts, ids: [item.id] });
  }
  const now = Date.now();
  for (const g of groups.values()) {
    const next = now + retryDelayMs(g.attempts + 1, backoffBaseMs, backoffMaxMs, Math.random());
    await recordAttemptFailure(ctx.mysql, g.ids, g.error, next, maxAttempts);
  }
  if (parked.size > 0) ctx.log.warn({ count: parked.size }, 'events parked as dead letters');
  return parked;
}

function indexItems(items: readonly WorkItem[]): Map<string, WorkItem> {
  const m = new Map<string, WorkItem>();
  for (const i of items) m.set(i.id, i);
  return m;
}

function countIn(ids: Set<string> | undefined, parked: Set<string>): number {
  if (!ids || parked.size === 0) return 0;
  let n = 0;
  for (const id of ids) if (parked.has(id)) n++;
  return n;
}

