import { queryBounded, type MysqlPool } from '../store/mysql/pool.js';

export interface VenueCount {
  readonly venueId: string;
  readonly checkins: number;
}

/**
 * The busiest venues of the last minutes, from the per-minute counters `stats.record` keeps.
 * One bounded query per publish period for all viewers: a range of the primary key
 * (`minute_ms` first), grouped, with a timeout; a query still running skips the next period.
 */
export class TopVenues {
  private running = false;

  constructor(
    private readonly pool: MysqlPool,
    private readonly timeoutMs: number,
  ) {}

  /** null when the previous read is still running or the read failed (the page keeps the last list). */
  async read(sinceMs: number, limit: number): Promise<VenueCount[] | null> {
    if (this.running) return null;
    this.running = true;
    try {
      const [rows] = await queryBounded<Array<{ venue_id: string; n: string | number } & import('mysql2').RowDataPacket>>(this.pool, {
        sql: `SELECT venue_id, SUM(checkins) AS n FROM stats_minute WHERE minute_ms >= ? GROUP BY venue_id ORDER BY n DESC, venue_id LIMIT ?`,
        values: [sinceMs - (sinceMs % 60_000), limit],
        timeout: this.timeoutMs,
      });
      return rows.map((r) => ({ venueId: r.venue_id, checkins: Number(r.n) }));
    } catch {
      return null;
    } finally {
      this.running = false;
    }
  }
}
