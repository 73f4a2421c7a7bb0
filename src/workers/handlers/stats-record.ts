import { EVENT_BIT } from '../../core/events.js';
import { clearPending, lockPending, withTransaction } from '../sql.js';
import type { WorkerContext } from '../worker-context.js';
import type { HandlerOutcome, WorkItem } from '../work-item.js';
import type { EventHandler } from './handler.js';

const BIT = EVENT_BIT['stats.record'];

/**
 * Per-minute counters by venue and channel (`stats_minute`). Counters are not idempotent by
 * themselves, so the increment and the clearing of the event's bit commit together, after
 * locking the work rows: a second run finds the bit cleared and counts nothing.
 */
export const statsRecord: EventHandler = {
  event: 'stats.record',
  after: [],
  clearsOwnBit: true,
  takesDeferredClears: true,
  async run(ctx: WorkerContext, items: readonly WorkItem[], deferredClears?: ReadonlyMap<number, readonly string[]>): Promise<HandlerOutcome> {
    const ids = items.map((i) => i.id);
    await withTransaction(ctx.mysql, async (conn) => {
      const owed = await lockPending(conn, ids, BIT);
      const counters = new Map<string, [number, string, string, number, number]>();
      for (const item of items) {
        if (!owed.has(item.id)) continue;
        const minute = item.atMs - (item.atMs % 60_000);
        const key = `${minute}\u0000${item.venueId}\u0000${item.channel}`;
        const c = counters.get(key);
        if (c) {
          c[3]++;
          if (item.rewarded) c[4]++;
        } else {
          counters.set(key, [minute, item.venueId, item.channel, 1, item.rewarded ? 1 : 0]);
        }
      }
      if (counters.size > 0) {
        // Key order: concurrent batches lock shared counter rows in the same order.
        const rows = [...counters.entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map((e) => e[1]);
        await conn.query(
          `INSERT INTO stats_minute (minute_ms, venue_id, channel, checkins, rewarded) VALUES ?
           ON DUPLICATE KEY UPDATE checkins = checkins + VALUES(checkins), rewarded = rewarded + VALUES(rewarded)`,
          [rows],
        );
      }
      // This event's bit and the runner's deferred ones, one UPDATE per distinct mask.
      const masks = new Map<string, number>();
      for (const id of owed) masks.set(id, BIT);
      if (deferredClears) for (const [mask, list] of deferredClears) for (const id of list) masks.set(id, (masks.get(id) ?? 0) | mask);
      const byMask = new Map<number, string[]>();
      for (const [id, mask] of masks) {
        const list = byMask.get(mask);
        if (list) list.push(id);
        else byMask.set(mask, [id]);
      }
      for (const [mask, list] of byMask) await clearPending(conn, list, mask);
    });
    return { done: ids, failed: [] };
  },
};
