import { randomBytes } from 'node:crypto';
import { sqlIdTuples } from '../store/mysql/sql-ids.js';
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

  /** Adds messages; an existing (check-in, kind) keeps its first text. */
  async add(rows: readonly NotificationRow[], nowMs: number): Promise<void> {
    if (rows.length === 0) return;
    await this.pool.query('INSERT IGNORE INTO notifications (checkin_id, kind, msisdn, text, created_ms) VALUES ?', [
      rows.map((r) => [r.checkinId, r.kind, r.msisdn, r.text, nowMs]),
    ]);
  }

  /**
   * Sends whatever is still owed for `keys` (check-in id + kind). Returns, per check-in id,
   * null when nothing is left to send, or the failure that leaves it pending.
   */
  async deliver(keys: ReadonlyArray<readonly [string, NotificationKind]>, nowMs: number): Promise<Map<string, EventFailure | null>> {
    const result = new Map<string, EventFailure | null>();
    if (keys.length === 0) return result;
    const tuples = sqlIdTuples(keys);
    const token = randomBytes(8).toString('hex');
    await this.pool.query(
      `UPDATE notifications SET state = ${UNCERTAIN}, last_error = 'claim expired: the sending worker died'
        WHERE (checkin_id, kind) IN (?) AND state = ${CLAIMED} AND claimed_ms < ?`,
      [tuples, nowMs - this.claimTimeoutMs],
    );
    await this.pool.query(
      `UPDATE notifications SET state = ${CLAIMED}, claim_token = ?, claimed_ms = ?, attempts = attempts + 1
        WHERE (checkin_id, kind) IN (?) AND state = ${PENDING}`,
      [token, nowMs, tuples],
    );
    const [rows] = await this.pool.query(
      `SELECT CAST(checkin_id AS CHAR) AS id, kind, msisdn, text, state, claim_token
         FROM notifications WHERE (checkin_id, kind) IN (?)`,
      [tuples],
    );
    for (const k of keys) if (!result.has(k[0])) result.set(k[0], null);
    const mine: StoredRow[] = [];
    for (const r of rows as StoredRow[]) {
      const state = Number(r.state);
      if (state === CLAIMED && r.claim_token === token) mine.push(r);
      else if (state === CLAIMED || state === PENDING) {
        result.set(r.id, failure('NOTIFY_IN_FLIGHT', `${r.kind} message is being sent by another worker`));
      }
    }
    if (mine.length === 0) return result;
    const messages: OutboundMessage[] = mine.map((r) => ({ key: `${r.id}:${r.kind}`, msisdn: r.msisdn, text: r.text }));
    const outcomes = await this.notifier.send(messages);
    const sent: Array<[string, string]> = [];
    const released = new Map<string, Array<[string, string]>>();
    for (let i = 0; i < mine.length; i++) {
      const r = mine[i]!;
      const o = outcomes[i];
      if (o === undefined || o.ok) {
        sent.push([r.id, r.kind]);
        continue;
      }
      const code = isKnownCode(o.code) ? o.code : 'NOTIFY_SINK_ERROR';
      const f = failure(code, o.message);
      if (result.get(r.id) === null) result.set(r.id, f);
      const error = `${f.code}: ${f.message}`.slice(0, 255);
      const list = released.get(error) ?? [];
      list.push([r.id, r.kind]);
      released.set(error, list);
    }
    if (sent.length > 0) {
      await this.pool.query(
        `UPDATE notifications SET state = ${SENT}, sent_ms = ? WHERE (checkin_id, kind) IN (?) AND claim_token = ?`,
        [Date.now(), sqlIdTuples(sent), token],
      );
    }
    for (const [error, list] of released) {
      await this.pool.query(
        `UPDATE notifications SET state = ${PENDING}, claim_token = NULL, last_error = ?
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
