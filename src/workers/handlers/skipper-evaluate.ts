import type { ChainableCommander } from 'ioredis';
import type { PoolConnection } from 'mysql2/promise';
import { dayNumberToIso } from '../../core/time.js';
import { readModelKeys } from '../../core/leaderboard.js';
import { skipperGained } from '../../core/notification-texts.js';
import { needsFullCount, pickSkipper, skipperWindow, standingInWindow, type SkipperStanding } from '../../core/skipper.js';
import type { BatchScratch, SkipperHash } from '../batch-scratch.js';
import type { EventFailure } from '../errors.js';
import { TO_DAYS_EPOCH } from '../load-batch.js';
import { addClaimed, type NotificationRow } from '../notification-outbox.js';
import { execPipeline } from '../redis-exec.js';
import type { WorkerContext } from '../worker-context.js';
import type { HandlerFailure, HandlerOutcome, WorkItem } from '../work-item.js';
import type { BatchTx, EventHandler } from './handler.js';

interface VenueState {
  msisdn: string | null;
  days: number;
  sinceMs: number;
  evaluatedDay: number;
}

/**
 * Re-evaluates the skipper of every venue with a rewarded check-in in the batch.
 *
 * 1. In the batch transaction (venue state rows locked): count the challengers' days and the
 *    current skipper's over the window ending at the check-in's day (a full count of the
 *    venue only when core/skipper.ts needsFullCount says so), store the states that changed
 *    and, on a change of skipper, a `skipper` message for the new holder — keyed by the
 *    triggering check-in, so it exists once — claimed by the batch for sending.
 * 2. After commit, write the venues' skipper hashes to the read model (absolute values: safe
 *    to repeat) and send the batch's skipper messages, and any an earlier run left unsent
 *    (through the outbox's claim). Only then is the event done (the runner clears its bit,
 *    which is also the record that the claimed messages were sent).
 * A re-run re-evaluates (no change the second time), rewrites the hashes and sends what is
 * still owed: the effect is exactly once.
 */
export const skipperEvaluate: EventHandler = {
  event: 'skipper.evaluate',
  after: [],
  doneInApply: false,
  async apply(tx: BatchTx, items: readonly WorkItem[]): Promise<HandlerOutcome> {
    await evaluate(tx, items, tx.ctx.config.points.skipperWindowDays);
    return { done: items.map((i) => i.id), failed: [] };
  },
  async publish(ctx: WorkerContext, items: readonly WorkItem[], scratch: BatchScratch): Promise<HandlerOutcome> {
    // Messages first: they are claimed already, and a Redis failure must not leave them
    // claimed and unsent (they would expire to `uncertain` and never leave).
    const mine = scratch.claimed.filter((n) => n.kind === 'skipper');
    const earlier = scratch.owedEarlier.filter((k) => k[1] === 'skipper');
    const failed: HandlerFailure[] = [];
    const failedIds = new Set<string>();
    const note = (outcome: Map<string, EventFailure | null>) => {
      for (const [id, f] of outcome) {
        if (f !== null && !failedIds.has(id)) {
          failed.push({ id, ...f });
          failedIds.add(id);
        }
      }
    };
    const mineOutcome = mine.length > 0 ? await ctx.outbox.send(mine, scratch.token) : new Map<string, EventFailure | null>();
    note(mineOutcome);
    if (earlier.length > 0) note(await ctx.outbox.deliver(earlier, Date.now()));
    if (scratch.skipperHashes.length > 0) {
      try {
        await publish(ctx, scratch.skipperHashes);
      } catch (e) {
        // The event fails and runs again; the messages sent now are recorded as sent here
        // (the bit clear that would have recorded them does not happen).
        const sent = mine.filter((n) => mineOutcome.get(n.checkinId) === null);
        if (sent.length > 0) await ctx.outbox.markSent(sent, scratch.token);
        throw e;
      }
    }
    const done = failedIds.size === 0 ? items.map((i) => i.id) : items.filter((i) => !failedIds.has(i.id)).map((i) => i.id);
    return { done, failed };
  },
};

async function evaluate(tx: BatchTx, owed: readonly WorkItem[], windowDays: number): Promise<void> {
  const { conn, scratch } = tx;
  // Messages an earlier run made for these check-ins and did not send (or is sending).
  noteOwedEarlier(owed, scratch);
  const byVenue = new Map<string, WorkItem[]>();
  for (const item of owed) {
    if (!item.rewarded) continue;
    const list = byVenue.get(item.venueId);
    if (list) list.push(item);
    else byVenue.set(item.venueId, [item]);
  }
  if (byVenue.size === 0) return;
  const venues = [...byVenue.keys()].sort();
  const nowMs = scratch.nowMs;
  let minDay = Infinity;
  for (const i of owed) if (i.day < minDay) minDay = i.day;
  const states = await lockStates(conn, venues, nowMs);
  // Days of every challenger and current skipper at these venues, over the widest window needed.
  const pairs = new Map<string, [string, string]>();
  let maxDay = -Infinity;
  for (const [venueId, list] of byVenue) {
    for (const i of list) {
      pairs.set(`${i.msisdn}\u0000${venueId}`, [i.msisdn, venueId]);
      if (i.day > maxDay) maxDay = i.day;
    }
    const current = states.get(venueId)?.msisdn;
    if (current) pairs.set(`${current}\u0000${venueId}`, [current, venueId]);
  }
  for (const s of states.values()) if (s.evaluatedDay > maxDay) maxDay = s.evaluatedDay;
  // A table value constructor joined on the key, not `(a, b) IN (…)` (see points-award.ts).
  const [dayRows] = await conn.query(
    `WITH t (m, v) AS (VALUES ?)
     SELECT r.msisdn, r.venue_id, TO_DAYS(r.day) - ${TO_DAYS_EPOCH} AS d
       FROM t STRAIGHT_JOIN reward_days r ON r.msisdn = t.m AND r.venue_id = t.v
      WHERE r.day BETWEEN FROM_DAYS(?) AND FROM_DAYS(?)`,
    [[...pairs.values()], minDay - windowDays + 1 + TO_DAYS_EPOCH, maxDay + TO_DAYS_EPOCH],
  );
  const daysOf = new Map<string, number[]>();
  for (const r of dayRows as Array<{ msisdn: string; venue_id: string; d: number | string }>) {
    const k = `${r.msisdn}\u0000${r.venue_id}`;
    const list = daysOf.get(k);
    if (list) list.push(Number(r.d));
    else daysOf.set(k, [Number(r.d)]);
  }

  const notifications: NotificationRow[] = [];
  const stateRowsOut: unknown[][] = [];
  for (const venueId of venues) {
    const list = byVenue.get(venueId)!;
    const state = states.get(venueId) ?? { msisdn: null, days: 0, sinceMs: 0, evaluatedDay: 0 };
    let endDay = state.evaluatedDay;
    for (const i of list) if (i.day > endDay) endDay = i.day;
    const window = skipperWindow(endDay, windowDays);
    const standings = new Map<string, SkipperStanding>();
    for (const i of list) {
      if (!standings.has(i.msisdn)) standings.set(i.msisdn, standingInWindow(i.msisdn, daysOf.get(`${i.msisdn}\u0000${venueId}`) ?? [], window));
    }
    const currentDays = state.msisdn
      ? (standings.get(state.msisdn) ?? standingInWindow(state.msisdn, daysOf.get(`${state.msisdn}\u0000${venueId}`) ?? [], window))
      : null;
    if (currentDays && state.msisdn) standings.set(state.msisdn, currentDays);
    if (needsFullCount(state.msisdn, state.days, currentDays?.days ?? 0)) {
      for (const s of await fullCount(conn, venueId, window.first, window.last)) {
        if (!standings.has(s.msisdn)) standings.set(s.msisdn, s);
      }
    }
    const best = pickSkipper(state.msisdn, [...standings.values()]);
    const next: VenueState = { msisdn: best?.msisdn ?? null, days: best?.days ?? 0, sinceMs: state.sinceMs, evaluatedDay: endDay };
    if (next.msisdn !== state.msisdn) {
      // The trigger is the latest check-in of the new holder in this batch (else the latest at the venue).
      const trigger = [...list].reverse().find((i) => i.msisdn === next.msisdn) ?? list[list.length - 1]!;
      next.sinceMs = trigger.atMs;
      if (next.msisdn !== null) {
        notifications.push({
          checkinId: trigger.id,
          kind: 'skipper',
          msisdn: next.msisdn,
          text: skipperGained(trigger.venueName ?? venueId, next.days),
        });
      }
    }
    // Only rows that changed are written (most evaluations confirm the current skipper).
    if (next.msisdn !== state.msisdn || next.days !== state.days || next.sinceMs !== state.sinceMs || next.evaluatedDay !== state.evaluatedDay) {
      stateRowsOut.push([venueId, next.msisdn, next.days, next.sinceMs, dayNumberToIso(next.evaluatedDay), nowMs]);
    }
    scratch.skipperHashes.push({ venueId, msisdn: next.msisdn, days: next.days, sinceMs: next.sinceMs });
  }
  // One statement for the batch's changed venues (rows exist and are locked).
  if (stateRowsOut.length > 0) {
    await conn.query(
      `INSERT INTO skipper_state (venue_id, msisdn, days, since_ms, evaluated_day, updated_ms) VALUES ?
       ON DUPLICATE KEY UPDATE msisdn = VALUES(msisdn), days = VALUES(days), since_ms = VALUES(since_ms),
         evaluated_day = VALUES(evaluated_day), updated_ms = VALUES(updated_ms)`,
      [stateRowsOut],
    );
  }
  if (notifications.length > 0) {
    const added = await addClaimed(conn, notifications, scratch.token, nowMs);
    // A message that already existed (a re-run whose evaluation changed the skipper again)
    // keeps its first text and state: it goes through the outbox's claim like the others.
    if (added === notifications.length) scratch.claimed.push(...notifications);
    else for (const n of notifications) scratch.owedEarlier.push([n.checkinId, 'skipper']);
  }
}

/** Notes skipper messages of these check-ins left by an earlier run: not sent, or being sent. */
function noteOwedEarlier(owed: readonly WorkItem[], scratch: BatchScratch): void {
  for (const i of owed) {
    if (i.outbox.some((m) => m.kind === 'skipper' && (m.state === 0 || m.state === 1))) scratch.owedEarlier.push([i.id, 'skipper']);
  }
}

/**
 * Locks the state rows of `venues` in sorted order, creating placeholders for venues never
 * evaluated. The usual case (every row exists) is one SELECT … FOR UPDATE, which locks
 * without writing. For missing venues, one upsert (ON DUPLICATE KEY UPDATE takes an
 * exclusive lock where INSERT IGNORE would take a shared one, and two batches upgrading
 * shared locks on a venue deadlock), then the new rows are read. Locks are taken in venue
 * order, so batches do not deadlock each other on the rows that exist; a placeholder
 * insert racing another batch's is a lock conflict, retried by withTransaction.
 */
async function lockStates(conn: PoolConnection, venues: readonly string[], nowMs: number): Promise<Map<string, VenueState>> {
  const states = await readStates(conn, venues);
  if (states.size < venues.length) {
    const missing = venues.filter((v) => !states.has(v));
    await conn.query('INSERT INTO skipper_state (venue_id, evaluated_day, updated_ms) VALUES ? ON DUPLICATE KEY UPDATE venue_id = venue_id', [
      missing.map((v) => [v, '1970-01-01', nowMs]),
    ]);
    for (const [v, st] of await readStates(conn, missing)) states.set(v, st);
  }
  return states;
}

async function readStates(conn: PoolConnection, venues: readonly string[]): Promise<Map<string, VenueState>> {
  const [rows] = await conn.query(
    `SELECT venue_id, msisdn, days, since_ms, TO_DAYS(evaluated_day) - ${TO_DAYS_EPOCH} AS d
       FROM skipper_state WHERE venue_id IN (?) ORDER BY venue_id FOR UPDATE`,
    [venues],
  );
  const states = new Map<string, VenueState>();
  for (const r of rows as Array<{ venue_id: string; msisdn: string | null; days: number; since_ms: string; d: number | string }>) {
    states.set(r.venue_id, { msisdn: r.msisdn, days: Number(r.days), sinceMs: Number(r.since_ms), evaluatedDay: Number(r.d) });
  }
  return states;
}

async function fullCount(conn: PoolConnection, venueId: string, first: number, last: number): Promise<SkipperStanding[]> {
  const [rows] = await conn.query(
    `SELECT msisdn, COUNT(*) AS days, MAX(TO_DAYS(day)) - ${TO_DAYS_EPOCH} AS last_day FROM reward_days
      WHERE venue_id = ? AND day BETWEEN FROM_DAYS(?) AND FROM_DAYS(?)
      GROUP BY msisdn ORDER BY days DESC, last_day ASC, msisdn ASC LIMIT 50`,
    [venueId, first + TO_DAYS_EPOCH, last + TO_DAYS_EPOCH],
  );
  return (rows as Array<{ msisdn: string; days: number | string; last_day: number | string }>).map((r) => ({
    msisdn: r.msisdn,
    days: Number(r.days),
    lastDay: Number(r.last_day),
  }));
}

/** Venues per skipper-set-n.lua call. */
const VENUES_PER_CALL = 500;

/**
 * Skipper hashes in the read model: absolute values from MySQL, so writing twice is harmless.
 * A few hundred venues per command.
 */
async function publish(ctx: WorkerContext, hashes: readonly SkipperHash[]): Promise<void> {
  const p = ctx.redis.pipeline() as unknown as ChainableCommander & { skipperSet(numKeys: number, ...keysAndArgs: Array<string | number>): void };
  for (let i = 0; i < hashes.length; i += VENUES_PER_CALL) {
    const chunk = hashes.slice(i, i + VENUES_PER_CALL);
    const keys = chunk.map((e) => readModelKeys.skipper(e.venueId));
    const args: Array<string | number> = [];
    for (const e of chunk) args.push(e.msisdn ?? '', e.days, e.sinceMs);
    p.skipperSet(keys.length, ...keys, ...args);
  }
  await execPipeline(p);
}
