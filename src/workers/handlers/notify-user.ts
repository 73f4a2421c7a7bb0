import { checkInConfirmation } from '../../core/notification-texts.js';
import { EVENT_BIT } from '../../core/events.js';
import { sqlIds } from '../../store/mysql/sql-ids.js';
import type { BatchScratch } from '../batch-scratch.js';
import { addClaimed, type NotificationRow } from '../notification-outbox.js';
import type { WorkerContext } from '../worker-context.js';
import type { HandlerFailure, HandlerOutcome, WorkItem } from '../work-item.js';
import type { BatchTx, EventHandler } from './handler.js';

const POINTS_BIT = EVENT_BIT['points.award'];

/**
 * Confirms the check-in to the subscriber. The message goes into the notification outbox in
 * the batch transaction, claimed by the batch (one row per check-in: a second run keeps the
 * first text), and is sent once that commits; the runner then clears the bit, which records
 * the send, so it leaves at most once. Where points run here, the text carries the points
 * and total (the runner orders this event after points.award): those of this batch's award
 * come from `points.award` itself; only a check-in awarded by an earlier run has them read
 * from MySQL.
 */
export const notifyUser: EventHandler = {
  event: 'notify.user',
  after: ['points.award'],
  doneInApply: false,
  async apply(tx: BatchTx, items: readonly WorkItem[]): Promise<HandlerOutcome> {
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
    const rows: NotificationRow[] = items.map((i) => ({
      checkinId: i.id,
      kind: 'checkin',
      msisdn: i.msisdn,
      text: checkInConfirmation({
        venueName: i.venueName ?? i.venueId,
        rewarded: i.rewarded,
        points: ctx.pointsHere ? (earned.get(i.id) ?? 0) : null,
        total: ctx.pointsHere ? (totals.get(i.msisdn) ?? 0) : null,
      }),
    }));
    const added = await addClaimed(tx.conn, rows, scratch.token, scratch.nowMs);
    // All new (the usual case): they are ours to send. Otherwise some were seen before (a
    // replay): every message of the batch goes through the outbox's claim.
    if (added === rows.length) scratch.claimed.push(...rows);
    else for (const i of items) scratch.owedEarlier.push([i.id, 'checkin']);
    return { done: items.map((i) => i.id), failed: [] };
  },
  async publish(ctx: WorkerContext, items: readonly WorkItem[], scratch: BatchScratch): Promise<HandlerOutcome> {
    const want = new Set(items.map((i) => i.id));
    const mine = scratch.claimed.filter((n) => n.kind === 'checkin' && want.has(n.checkinId));
    const earlier = scratch.owedEarlier.filter((k) => k[1] === 'checkin' && want.has(k[0]));
    const outcome = new Map<string, unknown>();
    if (mine.length > 0) for (const [id, f] of await ctx.outbox.send(mine, scratch.token)) if (f !== null) outcome.set(id, f);
    if (earlier.length > 0) for (const [id, f] of await ctx.outbox.deliver(earlier, Date.now(), scratch.token)) if (f !== null) outcome.set(id, f);
    const done: string[] = [];
    const failed: HandlerFailure[] = [];
    for (const i of items) {
      const f = outcome.get(i.id) as { code: string; message: string } | undefined;
      if (f) failed.push({ id: i.id, ...f });
      else done.push(i.id);
    }
    return { done, failed };
  },
};
