import type { ResultSetHeader, RowDataPacket } from 'mysql2';
import type { Channel } from '../../core/checkin.js';
import type { LogBacklog, LogEntryRef, ReplicationLogPort } from '../../core/ports/replication-log.port.js';
import type { SyncEntry, SyncRecord, SyncRejection } from '../../core/replication.js';
import { queryBounded, type MysqlPool } from './pool.js';

interface LogRow extends RowDataPacket {
  seq: string | number;
  kind: string;
  refs: string;
  created_ms: string | number;
}

/**
 * The replication log in MySQL (migration 008): `sync_log` entries, `sync_peers` cursors,
 * `sync_dead_letters`. The check-in writer appends its entries itself, inside its batch's
 * transaction (checkin-writer.ts); venue changes append in theirs (venue-repository.ts).
 */
export class MysqlReplicationLog implements ReplicationLogPort {
  constructor(
    private readonly pool: MysqlPool,
    /** This site: venues changed before migration 008 carry no origin site and get it. */
    private readonly siteId: string,
    private readonly timeoutMs: number,
  ) {}

  async append(kind: LogEntryRef['kind'], refs: readonly string[], nowMs: number): Promise<number> {
    const [r] = await this.q<ResultSetHeader>('INSERT INTO sync_log (kind, refs, n, created_ms) VALUES (?, ?, ?, ?)', [kind, refs.join(','), refs.length, nowMs]);
    return Number(r.insertId);
  }

  async readAfter(after: number, limit: number): Promise<LogEntryRef[]> {
    const [rows] = await this.q<LogRow[]>('SELECT seq, kind, refs, created_ms FROM sync_log WHERE seq > ? ORDER BY seq LIMIT ?', [after, limit]);
    return rows.map(toRef);
  }

  async readSeqs(seqs: readonly number[]): Promise<LogEntryRef[]> {
    if (seqs.length === 0) return [];
    const [rows] = await this.q<LogRow[]>('SELECT seq, kind, refs, created_ms FROM sync_log WHERE seq IN (?) ORDER BY seq', [seqs]);
    return rows.map(toRef);
  }

  async resolve(entries: readonly LogEntryRef[]): Promise<SyncEntry[]> {
    const checkinIds = entries.filter((e) => e.kind === 'checkin').flatMap((e) => e.refs);
    const venueIds = entries.filter((e) => e.kind === 'venue').flatMap((e) => e.refs);
    const msisdns = entries.filter((e) => e.kind === 'profile').flatMap((e) => e.refs);
    const records = new Map<string, SyncRecord>();
    if (checkinIds.length > 0) {
      const [rows] = await this.q<RowDataPacket[]>(
        `SELECT id, msisdn, venue_id, channel, site, at_ms, DATE_FORMAT(day, '%Y-%m-%d') AS day FROM checkins WHERE id IN (${checkinIds.map(toSqlId).join(',')})`,
        [],
      );
      for (const r of rows) {
        records.set(`c${r.id}`, { type: 'checkin', id: String(r.id), msisdn: r.msisdn, venueId: r.venue_id, channel: r.channel as Channel, site: r.site, at: Number(r.at_ms), day: r.day });
      }
    }
    if (venueIds.length > 0) {
      const [rows] = await this.q<RowDataPacket[]>('SELECT id, code, name, city, open, version, origin_site FROM venues WHERE id IN (?)', [[...new Set(venueIds)]]);
      for (const r of rows) {
        records.set(`v${r.id}`, {
          type: 'venue',
          id: r.id,
          name: r.name,
          city: r.city,
          open: r.open === 1,
          code: r.code,
          version: Number(r.version),
          site: r.origin_site === '' ? this.siteId : r.origin_site,
        });
      }
    }
    if (msisdns.length > 0) {
      const [rows] = await this.q<RowDataPacket[]>('SELECT msisdn, home_site, telco, city, lang, version, origin_site FROM users WHERE msisdn IN (?)', [[...new Set(msisdns)]]);
      for (const r of rows) {
        records.set(`p${r.msisdn}`, {
          type: 'profile',
          id: r.msisdn,
          homeSite: r.home_site,
          telco: r.telco,
          city: r.city,
          lang: r.lang,
          version: Number(r.version),
          site: r.origin_site === '' ? this.siteId : r.origin_site,
        });
      }
    }
    return entries.map((e) => ({
      seq: e.seq,
      records: e.refs.map((id) => records.get(`${KIND_PREFIX[e.kind]}${id}`)).filter((r): r is SyncRecord => r !== undefined),
    }));
  }

  async cursor(peer: string): Promise<number> {
    const [rows] = await this.q<RowDataPacket[]>('SELECT cursor_seq FROM sync_peers WHERE peer = ?', [peer]);
    return rows[0] ? Number(rows[0].cursor_seq) : 0;
  }

  async saveCursor(peer: string, seq: number, nowMs: number): Promise<void> {
    // Never moves back: a slower save that lands after a newer one cannot rewind the peer.
    await this.q(
      `INSERT INTO sync_peers (peer, cursor_seq, updated_ms) VALUES (?, ?, ?)
       ON DUPLICATE KEY UPDATE updated_ms = VALUES(updated_ms), cursor_seq = GREATEST(cursor_seq, VALUES(cursor_seq))`,
      [peer, seq, nowMs],
    );
  }

  async backlog(after: number): Promise<LogBacklog> {
    const [rows] = await this.q<RowDataPacket[]>('SELECT COUNT(*) AS entries, COALESCE(SUM(n), 0) AS records, MIN(created_ms) AS oldest FROM sync_log WHERE seq > ?', [after]);
    const r = rows[0]!;
    return { entries: Number(r.entries), records: Number(r.records), oldestMs: r.oldest === null ? null : Number(r.oldest) };
  }

  async prune(upTo: number, limit: number): Promise<number> {
    const [r] = await this.q<ResultSetHeader>('DELETE FROM sync_log WHERE seq <= ? ORDER BY seq LIMIT ?', [upTo, limit]);
    return r.affectedRows;
  }

  async park(peer: string, rejected: readonly SyncRejection[], nowMs: number): Promise<void> {
    if (rejected.length === 0) return;
    await this.q('INSERT IGNORE INTO sync_dead_letters (peer, seq, record_type, record_id, reason, created_ms) VALUES ?', [
      rejected.map((r) => [peer, r.seq, r.type.slice(0, 8), r.id.slice(0, 40), r.reason.slice(0, 255), nowMs]),
    ]);
  }

  async deadLetters(peer: string, limit: number): Promise<Array<SyncRejection & { readonly createdMs: number }>> {
    const [rows] = await this.q<RowDataPacket[]>(
      'SELECT seq, record_type, record_id, reason, created_ms FROM sync_dead_letters WHERE peer = ? ORDER BY id DESC LIMIT ?',
      [peer, limit],
    );
    return rows.map((r) => ({ seq: Number(r.seq), type: r.record_type, id: r.record_id, reason: r.reason, createdMs: Number(r.created_ms) }));
  }

  private q<T extends RowDataPacket[] | ResultSetHeader>(sql: string, values: unknown[]): Promise<[T, unknown]> {
    return queryBounded<T>(this.pool, { sql, values, timeout: this.timeoutMs });
  }
}

const KIND_PREFIX: Record<LogEntryRef['kind'], string> = { checkin: 'c', venue: 'v', profile: 'p' };

function toRef(r: LogRow): LogEntryRef {
  return { seq: Number(r.seq), kind: r.kind === 'venue' || r.kind === 'profile' ? r.kind : 'checkin', refs: r.refs === '' ? [] : r.refs.split(','), createdMs: Number(r.created_ms) };
}

/** Check-in ids go to SQL as integers (they are digits by construction; anything else is dropped). */
function toSqlId(id: string): string {
  return /^[0-9]{1,20}$/.test(id) ? id : '0';
}
