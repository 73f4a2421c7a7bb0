import { EVENT_BIT, type EventType } from '../core/events.js';
import { retryDelayMs } from '../core/event-retry.js';
import { isUnavailableError } from '../store/mysql/pool.js';
import { recordAttemptFailure } from '../store/mysql/work-failures.js';
import { BatchScratch, mergeScratch } from './batch-scratch.js';
import { EventError } from './coded-error.js';
import { failure, type EventFailure } from './errors.js';
import type { EventHandler } from './handlers/handler.js';
import { leaderboardUpdate } from './handlers/leaderboard-update.js';
import { notifyUser } from './handlers/notify-user.js';
import { pointsAward } from './handlers/points-award.js';
import { skipperEvaluate } from './handlers/skipper-evaluate.js';
import { statsRecord } from './handlers/stats-record.js';
import { loadBatch } from './load-batch.js';
import { clearBits, isLockConflict, lockWork, withTransaction } from './sql.js';
import type { EventBatchReport, EventBatchTask, EventTally, FailureCount } from './protocol.js';
import type { WorkerContext } from './worker-context.js';
import type { HandlerFailure, HandlerOutcome, WorkItem } from './work-item.js';

/** In dependency order: a handler runs after those named in its `after`. */
export const HANDLERS: readonly EventHandler[] = [pointsAward, leaderboardUpdate, skipperEvaluate, notifyUser, statsRecord];
const APPLYING = HANDLERS.filter((h) => h.apply !== undefined);
const PUBLISHING = HANDLERS.filter((h) => h.publish !== undefined);

interface BatchState {
  readonly firstError: Map<string, string>;
  readonly failureCounts: Map<string, FailureCount & { count: number }>;
  /** Per event: check-ins completed, failed, and time spent. */
  readonly tallies: Map<EventType, { done: number; failed: Set<string>; ms: number }>;
  /** Per event with a `publish` step after `apply`: check-ins whose `apply` committed. */
  readonly applied: Map<EventType, Set<string>>;
}

/** What one transaction of the apply step did; items are updated from it once it committed. */
interface ApplyResult {
  readonly scratch: BatchScratch;
  /** Pending masks after the transaction, of the rows it locked (others had nothing pending). */
  readonly pending: Map<string, number>;
  readonly outcomes: Map<EventType, { done: readonly string[]; failed: readonly HandlerFailure[]; ms: number }>;
}

/**
 * Runs every pending event of a batch of check-ins, then records failures (one more attempt
 * with backoff, or a dead letter once attempts are exhausted). Items fully done report their
 * commit → done lag.
 *
 * 1. **Apply**: one transaction for the batch locks its work rows once and runs every
 *    handler's MySQL-side step (ledger and totals, skipper state and messages, the
 *    confirmations claimed for sending, counters), clears the bits of the events complete
 *    with it (points, stats) and commits once.
 * 2. **Publish**: Redis (boards, skipper hashes) and the notifier, each handler over the whole
 *    batch.
 * 3. One statement clears the bits of the events completed by publishing.
 *
 * If the apply transaction throws (not an outage), it is rolled back and each handler's step
 * runs in its own transaction, item by item if it throws again, so that one poison check-in
 * fails alone.
 */
export async function runBatch(ctx: WorkerContext, task: EventBatchTask): Promise<EventBatchReport> {
  const queuedMs = Math.max(0, Date.now() - task.dispatchedMs);
  const items = await loadBatch(ctx.mysql, task.ids);
  const state: BatchState = { firstError: new Map(), failureCounts: new Map(), tallies: new Map(), applied: new Map() };
  const scratch = new BatchScratch(ctx.outbox.newToken(), Date.now());
  scratch.requestIds = requestIdsOf(task);
  if (items.length > 0) {
    await applyStep(ctx, items, scratch, state);
    const published = await publishStep(ctx, items, scratch, state);
    await clearBits(ctx.mysql, published);
  }
  const parkedIds = await recordFailures(ctx, items, state, scratch.requestIds);
  const lagsMs: number[] = [];
  const now = Date.now();
  for (const item of items) if (item.pending === 0) lagsMs.push(now - item.committedMs);
  const tallies: EventTally[] = [];
  for (const h of HANDLERS) {
    const t = state.tallies.get(h.event);
    if (t) tallies.push({ event: h.event, handled: t.done, failed: t.failed.size, parked: countIn(t.failed, parkedIds), ms: t.ms });
  }
  if (ctx.log.isLevelEnabled('debug')) ctx.log.debug({ checkins: task.ids.length, loaded: items.length, reqIds: [...scratch.requestIds.values()] }, 'event batch done');
  return { ok: true, loaded: items.length, tallies, failures: [...state.failureCounts.values()], lagsMs, queuedMs };
}

/** Check-in id → request id, from the task (absent for work found by recovery). */
function requestIdsOf(task: EventBatchTask): ReadonlyMap<string, string> {
  const rids = task.requestIds;
  const map = new Map<string, string>();
  if (rids === undefined) return map;
  for (let i = 0; i < task.ids.length; i++) if (rids[i]) map.set(task.ids[i]!, rids[i]!);
  return map;
}

/** The request ids of `items`, for a log line about them. */
function reqIdsOf(scratch: BatchScratch, items: readonly WorkItem[]): string[] {
  const out: string[] = [];
  for (const i of items) {
    const r = scratch.requestIds.get(i.id);
    if (r !== undefined) out.push(r);
  }
  return out;
}

const EMPTY_OUTCOME: HandlerOutcome = { done: [], failed: [] };

/** Step 1: the batch transaction; on a throw that is not an outage, handler by handler. */
async function applyStep(ctx: WorkerContext, items: WorkItem[], scratch: BatchScratch, state: BatchState): Promise<void> {
  try {
    noteApplied(items, scratch, state, await applyInTransaction(ctx, APPLYING, items, scratch));
    return;
  } catch (e) {
    if (isOutage(e)) {
      failApplying(items, state, toFailure(e));
      return;
    }
  }
  for (const h of APPLYING) await applyIsolated(ctx, h, items, scratch, state);
}

/** One handler's step in its own transaction; if it throws, item by item. */
async function applyIsolated(ctx: WorkerContext, h: EventHandler, items: WorkItem[], scratch: BatchScratch, state: BatchState): Promise<void> {
  try {
    noteApplied(items, scratch, state, await applyInTransaction(ctx, [h], items, scratch));
  } catch (e) {
    const f = toFailure(e);
    if (items.length === 1 || isOutage(e)) {
      if (f.code === 'EVENT_HANDLER_CRASH') ctx.log.error({ err: e, event: h.event, reqIds: reqIdsOf(scratch, items) }, 'event handler crashed');
      const bit = EVENT_BIT[h.event];
      for (const i of items) if ((i.pending & bit) !== 0) noteFailure(state, h.event, { id: i.id, ...f });
      return;
    }
    for (const item of items) await applyIsolated(ctx, h, [item], scratch, state);
  }
}

/**
 * Locks the items' work rows and runs `handlers`' MySQL-side steps on the items whose bit is
 * pending under that lock and whose prerequisites are done, then clears the bits of the
 * events complete with their step — all in one transaction. Retried from the start on a
 * deadlock (withTransaction), so it changes nothing outside until it returns.
 */
async function applyInTransaction(ctx: WorkerContext, handlers: readonly EventHandler[], items: readonly WorkItem[], batch: BatchScratch): Promise<ApplyResult> {
  return withTransaction(ctx.mysql, async (conn) => {
    const scratch = new BatchScratch(batch.token, batch.nowMs);
    const locked = await lockWork(conn, items.map((i) => i.id), { ledger: ctx.pointsHere });
    const pending = new Map<string, number>();
    const live = items.filter((i) => locked.has(i.id));
    // What this batch found under the lock (points.award "ran here" or earlier; the claim).
    for (const i of live) {
      const w = locked.get(i.id)!;
      pending.set(i.id, w.pending);
      i.loadedPending = w.pending;
      i.notifyClaim = w.notifyClaim;
      i.inLedger = w.inLedger;
      i.outbox = w.outbox;
    }
    const cleared = new Map<string, number>();
    const outcomes: ApplyResult['outcomes'] = new Map();
    for (const h of handlers) {
      const bit = EVENT_BIT[h.event];
      const depMask = dependencyMask(h);
      const ready: WorkItem[] = [];
      const blocked: HandlerFailure[] = [];
      for (const i of live) {
        const p = pending.get(i.id)!;
        if ((p & bit) === 0) continue;
        if ((p & depMask) !== 0) blocked.push(waiting(i.id, h));
        else ready.push(i);
      }
      if (ready.length === 0 && blocked.length === 0) continue;
      const started = performance.now();
      const outcome = ready.length > 0 ? await h.apply!({ ctx, conn, scratch }, ready) : EMPTY_OUTCOME;
      if (h.doneInApply) {
        for (const id of outcome.done) {
          pending.set(id, pending.get(id)! & ~bit);
          cleared.set(id, (cleared.get(id) ?? 0) | bit);
        }
      }
      outcomes.set(h.event, { done: outcome.done, failed: [...outcome.failed, ...blocked], ms: performance.now() - started });
    }
    // The confirmations claimed on their work rows are claimed by this same statement.
    const claimed = scratch.workClaimed;
    await clearBits(conn, cleared, claimed.length > 0 ? { ids: new Set(claimed.map((n) => n.checkinId)), atMs: scratch.nowMs } : undefined);
    return { scratch, pending, outcomes };
  });
}

/** Takes a committed apply transaction's results into the batch. */
function noteApplied(items: readonly WorkItem[], scratch: BatchScratch, state: BatchState, r: ApplyResult): void {
  mergeScratch(scratch, r.scratch);
  for (const i of items) {
    const p = r.pending.get(i.id);
    // A row not locked had nothing pending any more (another run completed it).
    i.pending = p ?? 0;
  }
  for (const h of APPLYING) {
    const o = r.outcomes.get(h.event);
    if (!o) continue;
    const t = tally(state, h.event);
    t.ms += o.ms;
    if (h.doneInApply) t.done += o.done.length;
    else {
      let set = state.applied.get(h.event);
      if (!set) state.applied.set(h.event, (set = new Set()));
      for (const id of o.done) set.add(id);
    }
    for (const f of o.failed) noteFailure(state, h.event, f);
  }
}

/** An outage during the apply step fails every pending MySQL-side event of the batch. */
function failApplying(items: readonly WorkItem[], state: BatchState, f: EventFailure): void {
  for (const h of APPLYING) {
    const bit = EVENT_BIT[h.event];
    for (const i of items) if ((i.pending & bit) !== 0) noteFailure(state, h.event, { id: i.id, ...f });
  }
}

/**
 * Step 2: effects outside MySQL, handler by handler over the whole batch. Returns the bits
 * completed per check-in (cleared by the caller in one statement).
 */
async function publishStep(ctx: WorkerContext, items: readonly WorkItem[], scratch: BatchScratch, state: BatchState): Promise<Map<string, number>> {
  const completed = new Map<string, number>();
  for (const h of PUBLISHING) {
    const bit = EVENT_BIT[h.event];
    const depMask = dependencyMask(h);
    const ready: WorkItem[] = [];
    const applied = state.applied.get(h.event);
    for (const i of items) {
      if ((i.pending & bit) === 0) continue;
      if (h.apply) {
        if (applied?.has(i.id)) ready.push(i);
      } else if ((i.pending & depMask) !== 0) {
        noteFailure(state, h.event, waiting(i.id, h));
      } else {
        ready.push(i);
      }
    }
    if (ready.length === 0) continue;
    const started = performance.now();
    let outcome: HandlerOutcome;
    try {
      outcome = await h.publish!(ctx, ready, scratch);
    } catch (e) {
      // Redis or the outbox unreachable: every item of the step fails the same way.
      const f = toFailure(e);
      if (f.code === 'EVENT_HANDLER_CRASH') ctx.log.error({ err: e, event: h.event, reqIds: reqIdsOf(scratch, ready) }, 'event handler crashed');
      outcome = { done: [], failed: ready.map((i) => ({ id: i.id, ...f })) };
    }
    const t = tally(state, h.event);
    t.ms += performance.now() - started;
    t.done += outcome.done.length;
    const byId = new Map(ready.map((i) => [i.id, i]));
    for (const id of outcome.done) {
      const item = byId.get(id);
      if (!item) continue;
      item.pending &= ~bit;
      completed.set(id, (completed.get(id) ?? 0) | bit);
    }
    for (const f of outcome.failed) noteFailure(state, h.event, f);
  }
  return completed;
}

function dependencyMask(h: EventHandler): number {
  let mask = 0;
  for (const dep of h.after) mask |= EVENT_BIT[dep];
  return mask;
}

function waiting(id: string, h: EventHandler): HandlerFailure {
  return { id, ...failure('EVENT_WAITING_FOR_POINTS', `${h.event} waits for ${h.after.join(', ')}`) };
}

function tally(state: BatchState, event: EventType): { done: number; failed: Set<string>; ms: number } {
  let t = state.tallies.get(event);
  if (!t) state.tallies.set(event, (t = { done: 0, failed: new Set(), ms: 0 }));
  return t;
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
  tally(state, event).failed.add(f.id);
  if (!state.firstError.has(f.id)) state.firstError.set(f.id, `${event}: ${f.code}: ${f.message}`);
  const key = `${event}\u0000${f.code}`;
  const c = state.failureCounts.get(key);
  if (c) c.count++;
  else state.failureCounts.set(key, { event, code: f.code, count: 1 });
}

/** One UPDATE per distinct (error, attempts); returns the ids parked as dead letters. */
async function recordFailures(ctx: WorkerContext, items: readonly WorkItem[], state: BatchState, requestIds: ReadonlyMap<string, string>): Promise<Set<string>> {
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
  if (parked.size > 0) {
    const reqIds: string[] = [];
    for (const id of parked) if (requestIds.has(id)) reqIds.push(requestIds.get(id)!);
    ctx.log.warn({ count: parked.size, checkins: [...parked].slice(0, 20), reqIds: reqIds.slice(0, 20) }, 'events parked as dead letters');
  }
  return parked;
}

function countIn(ids: Set<string> | undefined, parked: Set<string>): number {
  if (!ids || parked.size === 0) return 0;
  let n = 0;
  for (const id of ids) if (parked.has(id)) n++;
  return n;
}

