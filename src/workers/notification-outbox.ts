import { randomBytes } from 'node:crypto';
import { sqlIdTuples } from '../store/mysql/sql-ids.js';
import { queryRetrying } from './sql.js';
import type { Pool } from 'mysql2/promise';
import type { NotifierPort, OutboundMessage } from '../core/ports/notifier.port.js';
import { failure, type EventFailure } from './errors.js';

export type NotificationKind = 'checkin' | 'skipper';

export interface NotificationRow {
  readonly checkinId: string;
  readonly kind: NotificationKind;
  readonly msisdn: string;
  readonly text: string;
}

const PENDING = 0;
const CLAIMED = 1;
const SENT = 2;
const UNCERTAIN = 3;

interface StoredRow {
  id: string;
  kind: NotificationKind;
  msisdn: string;
  text: string;
  state: number;
  claim_token: string | null;
}

/**
 * The notification outbox: at most one message per (check-in, kind), sent at most once.
 * Every statement names its rows by primary key and says so (FORCE INDEX): left to itself
 * the optimizer may scan the (state, claimed_ms) index instead, lock other batches' rows
 * and deadlock with them.
 * A message is claimed (state 1, with a token) before it is handed to the notifier and
 * marked sent after; a failure the notifier reports releases the claim for a retry. A claim
 * older than `claimTimeoutMs` belongs to a worker that died mid-send: it is marked
 * `uncertain` instead of being sent again — the one case where we prefer a possibly lost
 * SMS to a duplicate.
 */
export class NotificationOutbox {
  constructor(
    private readonly pool: Pool,
    private readonly notifier: NotifierPort,
    private readonly claimTimeoutMs: number,
  ) {}

  newToken(): string {
    return randomBytes(8).toString('hex');
  }

  /**
   * Adds messages already claimed by `token` (the common case: new messages, sent at once).
   * An existing (check-in, kind) is left alone and keeps its first text. Returns how many
   * were new; when that is all of them, `send` can go ahead without reading them back.
   */
  async addClaimed(rows: readonly NotificationRow[], token: string, nowMs: number): Promise<number> {
    if (rows.length === 0) return 0;
    const result = await queryRetrying(
      this.pool,
      `INSERT IGNORE INTO notifications (checkin_id, kind, msisdn, text, state, claim_token, claimed_ms, attempts, created_ms) VALUES ?`,
      [rows.map((r) => [BigInt(r.checkinId), r.kind, r.msisdn, r.text, CLAIMED, token, nowMs, 1, nowMs])],
    );
    return Number((result as { affectedRows: number }).affectedRows);
  }

  /**
   * Sends whatever is still owed for `keys` (check-in id + kind), claiming pending messages
   * with `token`. Returns, per check-in id, null when nothing is left to send, or the
   * failure that leaves it pending.
   */
  async deliver(
    keys: ReadonlyArray<readonly [string, NotificationKind]>,
    nowMs: number,
    token: string = this.newToken(),
  ): Promise<Map<string, EventFailure | null>> {
    const result = new Map<string, EventFailure | null>();
    if (keys.length === 0) return result;
    const tuples = sqlIdTuples(keys);
    await this.pool.query(
      `UPDATE notifications FORCE INDEX (PRIMARY) SET state = ${UNCERTAIN}, last_error = 'claim expired: the sending worker died'
        WHERE (checkin_id, kind) IN (?) AND state = ${CLAIMED} AND claim_token <> ? AND claimed_ms < ?`,
      [tuples, token, nowMs - this.claimTimeoutMs],
    );
    await this.pool.query(
      `UPDATE notifications FORCE INDEX (PRIMARY) SET state = ${CLAIMED}, claim_token = ?, claimed_ms = ?, attempts = attempts + 1
        WHERE (checkin_id, kind) IN (?) AND state = ${PENDING}`,
      [token, nowMs, tuples],
    );
    const [rows] = await this.pool.query(
      `SELECT CAST(checkin_id AS CHAR) AS id, kind, msisdn, text, state, claim_token
         FROM notifications FORCE INDEX (PRIMARY) WHERE (checkin_id, kind) IN (?)`,
      [tuples],
    );
    for (const k of keys) if (!result.has(k[0])) result.set(k[0], null);
    const mine: NotificationRow[] = [];
    for (const r of rows as StoredRow[]) {
      const state = Number(r.state);
      if (state === CLAIMED && r.claim_token === token) mine.push({ checkinId: r.id, kind: r.kind, msisdn: r.msisdn, text: r.text });
      else if (state === CLAIMED || state === PENDING) {
        result.set(r.id, failure('NOTIFY_IN_FLIGHT', `${r.kind} message is being sent by another worker`));
      }
    }
    if (mine.length > 0) {
      for (const [id, f] of await this.send(mine, token)) if (f !== null) result.set(id, f);
    }
    return result;
  }

  /** Hands messages claimed by `token` to the notifier and records the outcome of each. */
  async send(mine: readonly NotificationRow[], token: string): Promise<Map<string, EventFailure | null>> {
    const result = new Map<string, EventFailure | null>();
    const messages: OutboundMessage[] = mine.map((r) => ({ key: `${r.checkinId}:${r.kind}`, msisdn: r.msisdn, text: r.text }));
    const outcomes = await this.notifier.send(messages);
    const sent: Array<[string, string]> = [];
    const released = new Map<string, Array<[string, string]>>();
    for (let i = 0; i < mine.length; i++) {
      const r = mine[i]!;
      const o = outcomes[i];
      if (o === undefined || o.ok) {
        sent.push([r.checkinId, r.kind]);
        if (!result.has(r.checkinId)) result.set(r.checkinId, null);
        continue;
      }
      const code = isKnownCode(o.code) ? o.code : 'NOTIFY_SINK_ERROR';
      const f = failure(code, o.message);
      result.set(r.checkinId, f);
      const error = `${f.code}: ${f.message}`.slice(0, 255);
      const list = released.get(error) ?? [];
      list.push([r.checkinId, r.kind]);
      released.set(error, list);
    }
    if (sent.length > 0) {
      await queryRetrying(this.pool, `UPDATE notifications FORCE INDEX (PRIMARY) SET state = ${SENT}, sent_ms = ? WHERE (checkin_id, kind) IN (?) AND claim_token = ?`, [
        Date.now(),
        sqlIdTuples(sent),
        token,
      ]);
    }
    for (const [error, list] of released) {
      await queryRetrying(
        this.pool,
        `UPDATE notifications FORCE INDEX (PRIMARY) SET state = ${PENDING}, claim_token = NULL, last_error = ?
          WHERE (checkin_id, kind) IN (?) AND claim_token = ?`,
        [error, sqlIdTuples(list), token],
      );
    }
    return result;
  }
}

function isKnownCode(code: string): code is 'NOTIFY_TIMEOUT' | 'NOTIFY_HTTP_STATUS' | 'NOTIFY_CONNECT' | 'NOTIFY_SINK_ERROR' {
  return code === 'NOTIFY_TIMEOUT' || code === 'NOTIFY_HTTP_STATUS' || code === 'NOTIFY_CONNECT' || code === 'NOTIFY_SINK_ERROR';
}
