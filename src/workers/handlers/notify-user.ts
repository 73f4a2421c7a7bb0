import { sqlIds } from '../../store/mysql/sql-ids.js';
import { checkInConfirmation } from '../../core/notification-texts.js';
import type { NotificationRow } from '../notification-outbox.js';
import type { WorkerContext } from '../worker-context.js';
import type { HandlerFailure, HandlerOutcome, WorkItem } from '../work-item.js';
import type { EventHandler } from './handler.js';

/**
 * Confirms the check-in to the subscriber. The message goes into the notification outbox
 * (one row per check-in: a second run keeps the first text) and is sent through the
 * outbox's claim, so it leaves at most once; the runner clears the bit once it is sent. Where
 * points run here, the text carries the points and total (the runner orders this event
 * after points.award).
 */
export const notifyUser: EventHandler = {
  event: 'notify.user',
  after: ['points.award'],
  clearsOwnBit: false,
  async run(ctx: WorkerContext, items: readonly WorkItem[]): Promise<HandlerOutcome> {
    const ids = items.map((i) => i.id);
    const earned = new Map<string, number>();
    const totals = new Map<string, number>();
    if (ctx.pointsHere) {
      const [p] = await ctx.mysql.query(
        'SELECT CAST(checkin_id AS CHAR) AS id, SUM(points) AS p FROM points_ledger WHERE checkin_id IN (?) GROUP BY checkin_id',
        [sqlIds(ids)],
      );
      for (const r of p as Array<{ id: string; p: string | number }>) earned.set(r.id, Number(r.p));
      const [t] = await ctx.mysql.query('SELECT msisdn, total FROM user_totals WHERE msisdn IN (?)', [[...new Set(items.map((i) => i.msisdn))]]);
      for (const r of t as Array<{ msisdn: string; total: string | number }>) totals.set(r.msisdn, Number(r.total));
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
    const now = Date.now();
    const token = ctx.outbox.newToken();
    const added = await ctx.outbox.addClaimed(rows, token, now);
    // All new (the usual case): they are ours to send. Otherwise some were seen before (a
    // replay): go through the outbox's claim for every message of the batch.
    const outcome =
      added === rows.length
        ? await ctx.outbox.send(rows, token)
        : await ctx.outbox.deliver(
            ids.map((id) => [id, 'checkin'] as const),
            now,
            token,
          );
    const done: string[] = [];
    const failed: HandlerFailure[] = [];
    for (const id of ids) {
      const f = outcome.get(id);
      if (f) failed.push({ id, ...f });
      else done.push(id);
    }
    return { done, failed };
  },
};
