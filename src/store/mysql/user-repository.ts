import type { RowDataPacket } from 'mysql2';
import { queryBounded, type MysqlPool } from './pool.js';

export interface UserRecord {
  readonly msisdn: string;
  readonly homeSite: string;
  readonly city: string | null;
  readonly lang: string | null;
  readonly telco: string | null;
  /** Grows with every explicit change (a port); 1 for a profile made by a first check-in. */
  readonly version: number;
}

/** Which site makes profile changes, and whether they replicate (a `sync_log` entry each). */
export interface ProfileOrigin {
  readonly siteId: string;
  readonly replicate: boolean;
}

interface UserRow extends RowDataPacket {
  msisdn: string;
  home_site: string;
  city: string | null;
  lang: string | null;
  telco: string | null;
  version: number;
}

export class UserRepository {
  constructor(
    private readonly pool: MysqlPool,
    private readonly timeoutMs: number,
    private readonly origin: ProfileOrigin = { siteId: '', replicate: false },
  ) {}

  async get(msisdn: string): Promise<UserRecord | undefined> {
    const [rows] = await queryBounded<UserRow[]>(this.pool, {
      sql: 'SELECT msisdn, home_site, city, lang, telco, version FROM users WHERE msisdn = ?',
      values: [msisdn],
      timeout: this.timeoutMs,
    });
    const r = rows[0];
    return r ? { msisdn: r.msisdn, homeSite: r.home_site, city: r.city, lang: r.lang, telco: r.telco, version: Number(r.version) } : undefined;
  }

  /**
   * Moves a subscriber to another home site (mobile number portability), creating the
   * profile if the subscriber has never checked in. Points, history and ranks stay: they
   * are keyed by the number, not by the site. The change is this site's (a new version) and,
   * with peers, the same transaction appends a replication log entry, so every site takes it.
   */
  async port(msisdn: string, homeSite: string, telco: string | undefined, nowMs: number): Promise<UserRecord> {
    const conn = await this.pool.getConnection();
    try {
      const q = (sql: string, values: unknown[]) => conn.query({ sql, values, timeout: this.timeoutMs });
      await q('START TRANSACTION', []);
      // A new profile starts at version 2: an explicit change outranks any implicit one (1).
      await q(
        `INSERT INTO users (msisdn, home_site, telco, version, origin_site, created_at, updated_at) VALUES (?, ?, ?, 2, ?, ?, ?)
         ON DUPLICATE KEY UPDATE home_site = VALUES(home_site), telco = IF(? IS NULL, telco, VALUES(telco)),
           version = version + 1, origin_site = VALUES(origin_site), updated_at = VALUES(updated_at)`,
        [msisdn, homeSite, telco ?? null, this.origin.siteId, nowMs, nowMs, telco ?? null],
      );
      if (this.origin.replicate) await q(`INSERT INTO sync_log (kind, refs, n, created_ms) VALUES ('profile', ?, 1, ?)`, [msisdn, nowMs]);
      await q('COMMIT', []);
      conn.release();
    } catch (e) {
      conn.destroy();
      throw e;
    }
    const user = await this.get(msisdn);
    if (!user) throw new Error(`user ${msisdn} vanished after port`);
    return user;
  }

  /** Bulk insert for seeding (rows already validated). */
  async insertMany(users: readonly { msisdn: string; city: string }[], homeSite: string, nowMs: number): Promise<void> {
    if (users.length === 0) return;
    await queryBounded(this.pool, {
      sql: 'INSERT IGNORE INTO users (msisdn, home_site, city, created_at, updated_at) VALUES ?',
      values: [users.map((u) => [u.msisdn, homeSite, u.city, nowMs, nowMs])],
      timeout: this.timeoutMs * 10,
    });
  }
}
