import type { RowDataPacket } from 'mysql2';
import type { Venue } from '../../core/checkin.js';
import { queryBounded, type MysqlPool } from './pool.js';

interface VenueRow extends RowDataPacket {
  id: string;
  code: string | null;
  name: string;
  city: string;
  open: number;
  version: number;
  updated_at: string | number;
}

export interface VenueUpsert {
  readonly id: string;
  readonly name: string;
  readonly city: string;
  readonly open: boolean;
  readonly code: string | null;
}

function toVenue(r: VenueRow): Venue {
  return { id: r.id, code: r.code, name: r.name, city: r.city, open: r.open === 1, version: Number(r.version) };
}

/** Which site makes the changes, and whether they replicate to peers (a `sync_log` entry each). */
export interface VenueOrigin {
  readonly siteId: string;
  readonly replicate: boolean;
}

export class VenueRepository {
  constructor(
    private readonly pool: MysqlPool,
    private readonly timeoutMs: number,
    private readonly origin: VenueOrigin = { siteId: '', replicate: false },
  ) {}

  /** Venues changed at or after `sinceMs` (all when 0), with the newest change time seen. */
  async changedSince(sinceMs: number): Promise<{ venues: Venue[]; maxUpdatedMs: number }> {
    const [rows] = await queryBounded<VenueRow[]>(this.pool, {
      sql: 'SELECT id, code, name, city, open, version, updated_at FROM venues WHERE updated_at >= ?',
      values: [sinceMs],
      timeout: this.timeoutMs * 10,
    });
    let maxUpdatedMs = sinceMs;
    for (const r of rows) maxUpdatedMs = Math.max(maxUpdatedMs, Number(r.updated_at));
    return { venues: rows.map(toVenue), maxUpdatedMs };
  }

  async get(id: string): Promise<Venue | undefined> {
    const [rows] = await queryBounded<VenueRow[]>(this.pool, {
      sql: 'SELECT id, code, name, city, open, version, updated_at FROM venues WHERE id = ?',
      values: [id],
      timeout: this.timeoutMs,
    });
    return rows[0] ? toVenue(rows[0]) : undefined;
  }

  /**
   * Creates or replaces a venue; the version grows by one on every change and the change is
   * this site's (`origin_site`). With peers, the same transaction appends a replication log
   * entry, so the change reaches every site exactly when it committed here.
   */
  async upsert(v: VenueUpsert, nowMs: number): Promise<{ venue: Venue; created: boolean }> {
    const conn = await this.pool.getConnection();
    let affected: number;
    try {
      const q = (sql: string, values: unknown[]) => conn.query({ sql, values, timeout: this.timeoutMs });
      await q('START TRANSACTION', []);
      const [result] = await q(
        `INSERT INTO venues (id, code, name, city, open, version, origin_site, updated_at) VALUES (?, ?, ?, ?, ?, 1, ?, ?)
         ON DUPLICATE KEY UPDATE code = VALUES(code), name = VALUES(name), city = VALUES(city),
           open = VALUES(open), version = version + 1, origin_site = VALUES(origin_site), updated_at = VALUES(updated_at)`,
        [v.id, v.code, v.name, v.city, v.open ? 1 : 0, this.origin.siteId, nowMs],
      );
      affected = (result as import('mysql2').ResultSetHeader).affectedRows;
      if (this.origin.replicate) await q(`INSERT INTO sync_log (kind, refs, n, created_ms) VALUES ('venue', ?, 1, ?)`, [v.id, nowMs]);
      await q('COMMIT', []);
      conn.release();
    } catch (e) {
      // A connection whose statement may still run (a timeout) is not pooled again.
      conn.destroy();
      throw e;
    }
    const venue = await this.get(v.id);
    if (!venue) throw new Error(`venue ${v.id} vanished after upsert`);
    // affectedRows is 1 for an insert and 2 for an update of an existing row.
    return { venue, created: affected === 1 };
  }

  /** Bulk insert for seeding (rows already validated). */
  async insertMany(venues: readonly VenueUpsert[], nowMs: number): Promise<void> {
    if (venues.length === 0) return;
    await queryBounded(this.pool, {
      sql: 'INSERT IGNORE INTO venues (id, code, name, city, open, version, origin_site, updated_at) VALUES ?',
      values: [venues.map((v) => [v.id, v.code, v.name, v.city, v.open ? 1 : 0, 1, this.origin.siteId, nowMs])],
      timeout: this.timeoutMs * 10,
    });
  }
}
