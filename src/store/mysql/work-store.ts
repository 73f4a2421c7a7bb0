import type { Pool } from 'mysql2/promise';
import { recordAttemptFailure } from './work-failures.js';

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
   * (younger rows are in the hands of the live path). Served by ix_work_pending.
   */
  async fetchDue(nowMs: number, committedBeforeMs: number, limit: number): Promise<DueWork[]> {
    const [rows] = await this.pool.query(
      `SELECT CAST(checkin_id AS CHAR) AS id, pending, committed_ms FROM checkin_work
        WHERE pending <> 0 AND next_attempt_ms <= ? AND committed_ms <= ? LIMIT ?`,
      [nowMs, committedBeforeMs, limit],
    );
    return (rows as Array<{ id: string; pending: number; committed_ms: string }>).map((r) => ({
      id: r.id,
      owed: Number(r.pending),
      committedMs: Number(r.committed_ms),
    }));
  }

  async counts(): Promise<{ pending: number; dead: number }> {
    const [p] = await this.pool.query('SELECT COUNT(*) AS n FROM checkin_work WHERE pending <> 0');
    const [d] = await this.pool.query('SELECT COUNT(*) AS n FROM checkin_work WHERE dead <> 0');
    return { pending: Number((p as Array<{ n: string }>)[0]?.n ?? 0), dead: Number((d as Array<{ n: string }>)[0]?.n ?? 0) };
  }

  recordFailure(ids: readonly string[], error: string, nextAttemptMs: number, maxAttempts: number): Promise<void> {
    return recordAttemptFailure(this.pool, ids, error, nextAttemptMs, maxAttempts);
  }
}
