import type { HandlerOutcome, WorkItem } from '../work-item.js';
import type { BatchTx, EventHandler } from './handler.js';

/**
 * Per-minute counters by venue and channel (`stats_minute`). Counters are not idempotent by
 * themselves, so the increment and the clearing of the event's bit commit together, in the
 * batch transaction that locked the work rows: a second run finds the bit cleared and counts
 * nothing.
 */
export const statsRecord: EventHandler = {
  event: 'stats.record',
  after: [],
  doneInApply: true,
  async apply(tx: BatchTx, items: readonly WorkItem[]): Promise<HandlerOutcome> {
    const counters = new Map<string, [number, string, string, number, number]>();
    for (const item of items) {
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
      await tx.conn.query(
        `INSERT INTO stats_minute (minute_ms, venue_id, channel, checkins, rewarded) VALUES ?
         ON DUPLICATE KEY UPDATE checkins = checkins + VALUES(checkins), rewarded = rewarded + VALUES(rewarded)`,
        [rows],
      );
    }
    return { done: items.map((i) => i.id), failed: [] };
  },
};
