import mysql, { type RowDataPacket } from 'mysql2';
import type { PoolConnection } from 'mysql2/promise';
import type { Venue } from '../../core/checkin.js';
import type { CommittedCheckIn } from '../../core/ports/commit-feed.port.js';
import type { InboxResult, SyncInboxPort } from '../../core/ports/sync-inbox.port.js';
import type { CheckInRecord, ProfileRecord, SyncRecord, SyncRejection, VenueRecord } from '../../core/replication.js';
import { abandonConnection, queryBounded, type MysqlPool } from './pool.js';

const esc = mysql.escape;

/**
 * Applies peers' entries in MySQL, each batch in one transaction:
 *
 * 1. `sync_inbox` claims (origin, seq) with INSERT IGNORE … RETURNING: entries this site
 *    applied before are skipped whole.
 * 2. Check-ins: INSERT IGNORE on their id (globally unique: the origin's site number is in
 *    it) RETURNING the new ones; only those get a user row, a reward-day claim and the work
 *    they owe here (`owedMask`: at the points site points, boards and skipper; stats
 *    everywhere). The reward day goes to the first check-in of (user, venue, day) committed
 *    at this site, as for local ones (README, "Sites and replication").
 * 3. Venues: upserted only when their (version, site) is higher than the one here, so every
 *    site ends with the same venue whatever the order of arrival; a code another venue holds
 *    here refuses that record (a savepoint keeps the rest).
 */
export class MysqlSyncInbox implements SyncInboxPort {
  constructor(
    private readonly pool: MysqlPool,
    private readonly owedMask: number,
    private readonly timeoutMs: number,
  ) {}

  async apply(origin: string, entries: ReadonlyArray<{ seq: number; records: readonly SyncRecord[] }>, nowMs: number): Promise<InboxResult> {
    if (entries.length === 0) return { applied: 0, duplicates: 0, rejected: [], checkIns: [], venues: [] };
    for (let attempt = 1; ; attempt++) {
      const conn = await this.pool.getConnection();
      try {
        const result = await this.applyOnce(conn, origin, entries, nowMs);
        conn.release();
        return result;
      } catch (e) {
        const code = (e as { code?: string }).code;
        if (code === 'PROTOCOL_SEQUENCE_TIMEOUT') await abandonConnection(this.pool, conn);
        else {
          await conn.query('ROLLBACK').catch(() => {});
          conn.release();
        }
        if ((code === 'ER_LOCK_DEADLOCK' || code === 'ER_LOCK_WAIT_TIMEOUT') && attempt < 3) continue;
        throw e;
      }
    }
  }

  private async applyOnce(conn: PoolConnection, origin: string, entries: ReadonlyArray<{ seq: number; records: readonly SyncRecord[] }>, nowMs: number): Promise<InboxResult> {
    const q = <T>(sql: string) => conn.query({ sql, timeout: this.timeoutMs }).then(([r]) => r as T);
    await q('START TRANSACTION');
    const claimed = await q<RowDataPacket[]>(
      `INSERT IGNORE INTO sync_inbox (origin, seq, received_ms) VALUES ${entries.map((e) => `(${esc(origin)},${Number(e.seq)},${nowMs})`).join(',')} RETURNING seq`,
    );
    const fresh = new Set(claimed.map((r) => Number(r.seq)));
    const checkins: CheckInRecord[] = [];
    const venues: Array<{ seq: number; v: VenueRecord }> = [];
    const profiles: ProfileRecord[] = [];
    for (const e of entries) {
      if (!fresh.has(e.seq)) continue;
      for (const r of e.records) {
        if (r.type === 'checkin') checkins.push(r);
        else if (r.type === 'venue') venues.push({ seq: e.seq, v: r });
        else profiles.push(r);
      }
    }
    const newCheckIns = await this.applyCheckIns(q, checkins, nowMs);
    const rejected: SyncRejection[] = [];
    const changedVenues: Venue[] = [];
    for (const { seq, v } of venues.sort((a, b) => (a.v.id < b.v.id ? -1 : a.v.id > b.v.id ? 1 : 0))) {
      const outcome = await this.applyVenue(q, v, nowMs);
      if (outcome === 'code-taken') rejected.push({ seq, type: 'venue', id: v.id, reason: `code ${v.code} belongs to another venue at this site` });
      else if (outcome !== null) changedVenues.push(outcome);
    }
    for (const p of profiles.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))) await this.applyProfile(q, p, nowMs);
    await q('COMMIT');
    return { applied: fresh.size, duplicates: entries.length - fresh.size, rejected, checkIns: newCheckIns, venues: changedVenues };
  }

  private async applyCheckIns(q: <T>(sql: string) => Promise<T>, checkins: CheckInRecord[], nowMs: number): Promise<CommittedCheckIn[]> {
    if (checkins.length === 0) return [];
    // Key order in every shared table, as the writer does, so concurrent transactions take
    // row locks in one order.
    checkins.sort((a, b) => (BigInt(a.id) < BigInt(b.id) ? -1 : 1));
    const inserted = await q<RowDataPacket[]>(
      `INSERT IGNORE INTO checkins (id, msisdn, venue_id, channel, site, at_ms, day, client_id, request_key, request_hash) VALUES ${checkins
        .map((c) => `(${BigInt(c.id).toString()},${esc(c.msisdn)},${esc(c.venueId)},${esc(c.channel)},${esc(c.site)},${c.at},${esc(c.day)},${esc(`sync:${c.site}`)},NULL,NULL)`)
        .join(',')} RETURNING id`,
    );
    const isNew = new Set(inserted.map((r) => String(r.id)));
    const fresh = checkins.filter((c) => isNew.has(c.id));
    if (fresh.length === 0) return [];
    const users = fresh.map((c) => `(${esc(c.msisdn)},${esc(c.site)},NULL,${c.at},${c.at})`).sort();
    // A profile made implicitly by a first check-in (origin_site '') belongs to the site of the
    // earliest first check-in anywhere (ties: the lower site id), so sites that each saw a
    // "first" check-in agree once both replicated. An explicit profile (a port) is kept.
    await q(
      `INSERT INTO users (msisdn, home_site, city, created_at, updated_at) VALUES ${users.join(',')} ON DUPLICATE KEY UPDATE
         home_site = IF(origin_site = '' AND (VALUES(created_at) < created_at OR (VALUES(created_at) = created_at AND VALUES(home_site) < home_site)), VALUES(home_site), home_site),
         created_at = LEAST(created_at, VALUES(created_at))`,
    );
    const claims = [...fresh].sort((a, b) => (a.msisdn + a.venueId + a.day < b.msisdn + b.venueId + b.day ? -1 : 1));
    await q(`INSERT IGNORE INTO reward_days (msisdn, venue_id, day, checkin_id) VALUES ${claims.map((c) => `(${esc(c.msisdn)},${esc(c.venueId)},${esc(c.day)},${c.id})`).join(',')}`);
    if (this.owedMask !== 0) {
      await q(`INSERT INTO checkin_work (checkin_id, owed, pending, committed_ms) VALUES ${fresh.map((c) => `(${c.id},${this.owedMask},${this.owedMask},${nowMs})`).join(',')}`);
    }
    return fresh.map((c) => ({ id: c.id, owed: this.owedMask, committedMs: nowMs }));
  }

  /** The venue as it now is when this record changed it; null when the one here is newer; 'code-taken'. */
  private async applyVenue(q: <T>(sql: string) => Promise<T>, v: VenueRecord, nowMs: number): Promise<Venue | null | 'code-taken'> {
    // ON DUPLICATE KEY UPDATE fires on any unique key: a venue new here whose code another
    // venue holds would update *that* venue's row (its name, version…) instead of failing.
    if (v.code !== null) {
      const holders = await q<RowDataPacket[]>(`SELECT id FROM venues WHERE code = ${esc(v.code)} AND id <> ${esc(v.id)} FOR UPDATE`);
      if (holders.length > 0) return 'code-taken';
    }
    await q('SAVEPOINT venue');
    try {
      // Whether the record is newer is decided once, before any column changes (MySQL assigns
      // left to right, and later expressions would see the new version).
      await q(
        `INSERT INTO venues (id, code, name, city, open, version, origin_site, updated_at)
         VALUES (${esc(v.id)},${esc(v.code)},${esc(v.name)},${esc(v.city)},${v.open ? 1 : 0},${v.version},${esc(v.site)},${nowMs})
         ON DUPLICATE KEY UPDATE
           code = IF(@hg_newer := (VALUES(version) > version OR (VALUES(version) = version AND VALUES(origin_site) > origin_site)), VALUES(code), code),
           name = IF(@hg_newer, VALUES(name), name), city = IF(@hg_newer, VALUES(city), city), open = IF(@hg_newer, VALUES(open), open),
           updated_at = IF(@hg_newer, VALUES(updated_at), updated_at), origin_site = IF(@hg_newer, VALUES(origin_site), origin_site),
           version = IF(@hg_newer, VALUES(version), version)`,
      );
    } catch (e) {
      if ((e as { code?: string }).code !== 'ER_DUP_ENTRY') throw e;
      await q('ROLLBACK TO SAVEPOINT venue');
      return 'code-taken';
    }
    const rows = await q<RowDataPacket[]>(`SELECT id, code, name, city, open, version, origin_site, updated_at FROM venues WHERE id = ${esc(v.id)}`);
    const r = rows[0];
    if (!r || Number(r.version) !== v.version || r.origin_site !== v.site || Number(r.updated_at) !== nowMs) return null;
    return { id: r.id, code: r.code, name: r.name, city: r.city, open: r.open === 1, version: Number(r.version) };
  }

  /** Upserts a profile whose (version, site) is higher than the one here. */
  private async applyProfile(q: <T>(sql: string) => Promise<T>, p: ProfileRecord, nowMs: number): Promise<void> {
    await q(
      `INSERT INTO users (msisdn, home_site, telco, city, lang, version, origin_site, created_at, updated_at)
       VALUES (${esc(p.id)},${esc(p.homeSite)},${esc(p.telco)},${esc(p.city)},${esc(p.lang)},${p.version},${esc(p.site)},${nowMs},${nowMs})
       ON DUPLICATE KEY UPDATE
         home_site = IF(@hg_newer := (VALUES(version) > version OR (VALUES(version) = version AND VALUES(origin_site) > origin_site)), VALUES(home_site), home_site),
         telco = IF(@hg_newer, VALUES(telco), telco), city = IF(@hg_newer, VALUES(city), city), lang = IF(@hg_newer, VALUES(lang), lang),
         updated_at = IF(@hg_newer, VALUES(updated_at), updated_at), origin_site = IF(@hg_newer, VALUES(origin_site), origin_site),
         version = IF(@hg_newer, VALUES(version), version)`,
    );
  }

  async prune(beforeMs: number, limit: number): Promise<number> {
    const [r] = await queryBounded<import('mysql2').ResultSetHeader>(this.pool, {
      sql: 'DELETE FROM sync_inbox WHERE received_ms < ? LIMIT ?',
      values: [beforeMs, limit],
      timeout: this.timeoutMs,
    });
    return r.affectedRows;
  }
}
