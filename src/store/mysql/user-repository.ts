import type { RowDataPacket } from 'mysql2';
import { queryBounded, type MysqlPool } from './pool.js';

export interface UserRecord {
  readonly msisdn: string;
  readonly homeSite: string;
  readonly city: string | null;
  readonly lang: string | null;
}

interface UserRow extends RowDataPacket {
  msisdn: string;
  home_site: string;
  city: string | null;
  lang: string | null;
}

export class UserRepository {
  constructor(
    private readonly pool: MysqlPool,
    private readonly timeoutMs: number,
  ) {}

  async get(msisdn: string): Promise<UserRecord | undefined> {
    const [rows] = await queryBounded<UserRow[]>(this.pool, {
      sql: 'SELECT msisdn, home_site, city, lang FROM users WHERE msisdn = ?',
      values: [msisdn],
      timeout: this.timeoutMs,
    });
    const r = rows[0];
    return r ? { msisdn: r.msisdn, homeSite: r.home_site, city: r.city, lang: r.lang } : undefined;
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
