import type { Pool } from 'mysql2/promise';
import { EVENT_BIT, EVENT_TYPES, type EventType } from '../../core/events.js';
import { recordAttemptFailure } from './work-failures.js';

export interface WorkCounts {
  readonly pending: number;
  readonly dead: number;
  readonly pendingByEvent: ReadonlyMap<EventType, number>;
  readonly deadByEvent: ReadonlyMap<EventType, number>;
}

interface MaskCount {
  m: number;
  n: number | string;
}

function tally(rows: readonly MaskCount[]): { total: number; byEvent: Map<EventType, number> } {
  let total = 0;
  const byEvent = new Map<EventType, number>(EVENT_TYPES.map((e) => [e, 0]));
  for (const r of rows) {
    const n = Number(r.n);
    total += n;
    for (const e of EVENT_TYPES) if ((Number(r.m) & EVENT_BIT[e]) !== 0) byEvent.set(e, byEvent.get(e)! + n);
  }
  return { total, byEvent };
}

export interface DueWork {
  readonly id: string;
  readonly owed: number;
  readonly committedMs: number;
}

/** Main-thread access to `checkin_work` for the dispatcher's recovery loop and gauges. */
export class WorkStore {
  constructor(private readonly pool: Pool) {}

  /**
   * Rows with events pending whose next attempt is due, committed before `committedBeforeMs`
   * (younger rows are in the hands of the live path). Served by ix_work_due (migration 007).
   */
  async fetchDue(nowMs: number, committedBeforeMs: number, limit: number): Promise<DueWork[]> {
    const [rows] = await this.pool.query(
      `SELECT CAST(checkin_id AS CHAR) AS id, pending, committed_ms FROM checkin_work
        WHERE has_pending = 1 AND next_attempt_ms <= ? AND committed_ms <= ? LIMIT ?`,
      [nowMs, committedBeforeMs, limit],
    );
    return (rows as Array<{ id: string; pending: number; committed_ms: string }>).map((r) => ({
      id: r.id,
      owed: Number(r.pending),
      committedMs: Number(r.committed_ms),
    }));
  }

  /**
   * Check-ins with work pending / parked, and the same per event, grouped by mask (at most
   * 31 rows each). Parked rows are counted from the (dead) index; pending rows are found
   * through ix_work_due and their masks read from the rows (the index holds only whether
   * something is pending, so that clearing a bit does not move the row in it).
   */
  async counts(): Promise<WorkCounts> {
    const [p] = await this.pool.query('SELECT pending AS m, COUNT(*) AS n FROM checkin_work WHERE has_pending = 1 GROUP BY pending');
    const [d] = await this.pool.query('SELECT dead AS m, COUNT(*) AS n FROM checkin_work WHERE dead <> 0 GROUP BY dead');
    const pending = tally(p as MaskCount[]);
    const dead = tally(d as MaskCount[]);
    return { pending: pending.total, dead: dead.total, pendingByEvent: pending.byEvent, deadByEvent: dead.byEvent };
  }

  recordFailure(ids: readonly string[], error: string, nextAttemptMs: number, maxAttempts: number): Promise<void> {
    return recordAttemptFailure(this.pool, ids, error, nextAttemptMs, maxAttempts);
  }
}
