import { checkInConfirmation } from '../../core/notification-texts.js';
import { EVENT_BIT } from '../../core/events.js';
import { readModelKeys } from '../../core/leaderboard.js';
import { sqlIds } from '../../store/mysql/sql-ids.js';
import type { BatchScratch } from '../batch-scratch.js';
import { failure } from '../errors.js';
import { addUncertain, type NotificationRow } from '../notification-outbox.js';
import type { WorkerContext } from '../worker-context.js';
import { IN_OUTBOX, NO_CLAIM, type HandlerFailure, type HandlerOutcome, type WorkItem } from '../work-item.js';
import type { BatchTx, EventHandler } from './handler.js';

const POINTS_BIT = EVENT_BIT['points.award'];

/**
 * Confirms the check-in to the subscriber. The confirmation is claimed on the check-in's work
 * row in the batch transaction (the bit clear the batch makes anyway sets the claim: no row
 * of its own), sent once that commits, and the runner then clears the bit, which records the
 * send: it leaves at most once. A check-in found claimed already belongs to a batch in flight
 * (`NOTIFY_IN_FLIGHT`) or, once the claim is older than `notify.claimTimeoutMs`, to a worker
 * that died between the send and the bit clear: it is recorded `uncertain` and not resent.
 * A confirmation the notifier refused, or one made by an earlier version, lives in the outbox
 * and goes through its claim. Where points run here, the text carries the points and total
 * (the runner orders this event after points.award): those of this batch's award come from
 * `points.award` itself; only a check-in awarded by an earlier run has them read from MySQL.
 */
export const notifyUser: EventHandler = {
  event: 'notify.user',
  after: ['points.award'],
  doneInApply: false,
  async apply(tx: BatchTx, items: readonly WorkItem[]): Promise<HandlerOutcome> {
    const { ctx, scratch } = tx;
    const expiredBefore = scratch.nowMs - ctx.config.notify.claimTimeoutMs;
    const toClaim: WorkItem[] = [];
    const expired: WorkItem[] = [];
    const done: string[] = [];
    const failed: HandlerFailure[] = [];
    for (const i of items) {
      const claim = i.notifyClaim;
      if (claim === IN_OUTBOX || i.outbox.some((m) => m.kind === 'checkin')) {
        scratch.owedEarlier.push([i.id, 'checkin']);
        done.push(i.id);
      } else if (claim === NO_CLAIM) {
        toClaim.push(i);
        done.push(i.id);
      } else if (claim < expiredBefore) {
        expired.push(i);
        done.push(i.id);
      } else {
        failed.push({ id: i.id, ...failure('NOTIFY_IN_FLIGHT', 'checkin message is being sent by another worker') });
      }
    }
    if (toClaim.length === 0 && expired.length === 0) return { done, failed };
    const awards = ctx.pointsHere ? null : await awaitAwards(ctx, toClaim, expired, done, failed);
    if (toClaim.length === 0 && expired.length === 0) return { done, failed };
    const texts = await confirmations(tx, toClaim.length === 0 ? expired : expired.length === 0 ? toClaim : [...toClaim, ...expired], awards);
    for (const i of toClaim) scratch.workClaimed.push(texts.get(i.id)!);
    if (expired.length > 0) await addUncertain(tx.conn, expired.map((i) => ({ ...texts.get(i.id)!, claimedMs: i.notifyClaim })), scratch.nowMs);
    return { done, failed };
  },
  async publish(ctx: WorkerContext, items: readonly WorkItem[], scratch: BatchScratch): Promise<HandlerOutcome> {
    const want = new Set(items.map((i) => i.id));
    const mine = scratch.workClaimed.filter((n) => want.has(n.checkinId));
    const earlier = scratch.owedEarlier.filter((k) => k[1] === 'checkin' && want.has(k[0]));
    const outcome = new Map<string, { code: string; message: string }>();
    if (mine.length > 0) for (const [id, f] of await ctx.outbox.sendClaimedOnWork(mine, scratch.nowMs, scratch.requestIds)) if (f !== null) outcome.set(id, f);
    if (earlier.length > 0) for (const [id, f] of await ctx.outbox.deliver(earlier, Date.now(), scratch.token)) if (f !== null) outcome.set(id, f);
    const done: string[] = [];
    const failed: HandlerFailure[] = [];
    for (const i of items) {
      const f = outcome.get(i.id);
      if (f) failed.push({ id: i.id, ...f });
      else done.push(i.id);
    }
    return { done, failed };
  },
};

/** What the points site's ledger gave a check-in made here (see leaderboard-update.ts). */
interface Award {
  readonly rewarded: boolean;
  readonly points: number;
  readonly total: number;
}

/**
 * At a site without `points`, a confirmation states the award the points site's ledger gave,
 * read from this site's replica of the read model. A check-in whose award has not arrived
 * (sync or the replica behind, the points site cut off) is retried later with the event's
 * backoff; on its last attempt it is confirmed without figures ("points on their way")
 * rather than parked. Moves the waiting items from `toClaim`/`expired` and `done` to `failed`.
 */
async function awaitAwards(ctx: WorkerContext, toClaim: WorkItem[], expired: WorkItem[], done: string[], failed: HandlerFailure[]): Promise<Map<string, Award>> {
  const items = [...toClaim, ...expired];
  const awards = new Map<string, Award>();
  let values: Array<string | null> = [];
  try {
    values = await ctx.redis.mget(...items.map((i) => readModelKeys.award(i.id)));
  } catch {
    values = items.map(() => null);
  }
  const waiting = new Set<string>();
  items.forEach((i, n) => {
    const v = values[n];
    const m = v ? /^([01]):(\d+):(\d+)$/.exec(v) : null;
    if (m) awards.set(i.id, { rewarded: m[1] === '1', points: Number(m[2]), total: Number(m[3]) });
    else if (i.attempts + 1 < ctx.config.pool.maxAttempts) waiting.add(i.id);
  });
  if (waiting.size === 0) return awards;
  for (const list of [toClaim, expired]) {
    for (let k = list.length - 1; k >= 0; k--) if (waiting.has(list[k]!.id)) list.splice(k, 1);
  }
  for (let k = done.length - 1; k >= 0; k--) if (waiting.has(done[k]!)) done.splice(k, 1);
  for (const id of waiting) failed.push({ id, ...failure('NOTIFY_AWARD_PENDING', 'the points site has not published this check-in\'s award yet') });
  return awards;
}

/** The confirmation texts of `items`, by check-in id. */
async function confirmations(tx: BatchTx, items: readonly WorkItem[], awards: ReadonlyMap<string, Award> | null): Promise<Map<string, NotificationRow>> {
  const { ctx, scratch } = tx;
  const earned = new Map<string, number>();
  const totals = new Map<string, number>();
  if (ctx.pointsHere) {
    const earlier: WorkItem[] = [];
    for (const i of items) {
      if (!i.rewarded) continue;
      if ((i.loadedPending & POINTS_BIT) === 0) earlier.push(i);
      else earned.set(i.id, scratch.earned.get(i.id) ?? 0);
    }
    for (const [msisdn, t] of scratch.userTotals) totals.set(msisdn, t.total);
    // Totals of users with a rewarded check-in that changed no total in this batch (a cap).
    const unknown = new Set<string>();
    for (const i of items) if (i.rewarded && !totals.has(i.msisdn)) unknown.add(i.msisdn);
    if (earlier.length > 0) {
      const [p] = await tx.conn.query(
        'SELECT CAST(checkin_id AS CHAR) AS id, SUM(points) AS p FROM points_ledger WHERE checkin_id IN (?) GROUP BY checkin_id',
        [sqlIds(earlier.map((i) => i.id))],
      );
      for (const r of p as Array<{ id: string; p: string | number }>) earned.set(r.id, Number(r.p));
    }
    if (unknown.size > 0) {
      const [t] = await tx.conn.query('SELECT msisdn, total FROM user_totals WHERE msisdn IN (?)', [[...unknown]]);
      for (const r of t as Array<{ msisdn: string; total: string | number }>) totals.set(r.msisdn, Number(r.total));
    }
  }
  const texts = new Map<string, NotificationRow>();
  for (const i of items) {
    const award = awards?.get(i.id);
    texts.set(i.id, {
      checkinId: i.id,
      kind: 'checkin',
      msisdn: i.msisdn,
      text: checkInConfirmation({
        venueName: i.venueName ?? i.venueId,
        rewarded: award ? award.rewarded : i.rewarded,
        points: ctx.pointsHere ? (earned.get(i.id) ?? 0) : (award?.points ?? null),
        total: ctx.pointsHere ? (totals.get(i.msisdn) ?? 0) : (award?.total ?? null),
      }),
    });
  }
  return texts;
}
