import { randomBytes } from 'node:crypto';
import { sqlIds, type SqlIdList } from '../store/mysql/sql-ids.js';
import { queryRetrying, withTransaction } from './sql.js';
import type { Pool, PoolConnection } from 'mysql2/promise';
import { IN_OUTBOX } from './work-item.js';
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
const CLAIM_EXPIRED = 'claim expired: the sending worker died';

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
 * the optimizer may scan another index instead, lock other batches' rows and deadlock with
 * them.
 *
 * A message is claimed before it is handed to the notifier. A check-in's confirmation is
 * claimed on its work row (`checkin_work.notify_claim`, set by the batch transaction's
 * bit clear, migration 006) and has no outbox row unless the notifier refuses it
 * (`sendClaimedOnWork`) or its claim expires (`addUncertain`). Skipper messages are inserted
 * in the outbox already claimed (state 1, with a token), in the batch transaction
 * (`addClaimed`). Once the notifier accepted a message, the event's bit is cleared
 * (`skipper.evaluate` for `skipper` messages, `notify.user` for `checkin` ones): a claimed
 * message whose bit is no longer pending nor dead was sent — the bit clear is the record, so a
 * send costs no extra row write (view `notification_status`). A failure the notifier reports
 * puts the message in the outbox unclaimed for a retry. A claim older than `claimTimeoutMs`
 * whose bit is still owed belongs to a worker that died between the claim and that record: it
 * is marked `uncertain` instead of being sent again — the one case where we prefer a possibly
 * lost SMS to a duplicate. State 2 (`sent`) is written only when a sent message's event cannot
 * complete now (`markSent`), and by versions before migration 004 after every send.
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
    const stored: StoredRow[] = [];
    // One kind per statement, ids as a plain IN list: a `(checkin_id, kind) IN (…)` tuple list
    // costs MariaDB's range optimizer tens of milliseconds per batch.
    for (const [kind, ids] of idsByKind(keys)) {
      await this.pool.query(
        `UPDATE notifications FORCE INDEX (PRIMARY) SET state = ${UNCERTAIN}, last_error = ?
          WHERE checkin_id IN (?) AND kind = ? AND state = ${CLAIMED} AND claim_token <> ? AND claimed_ms < ?`,
        [CLAIM_EXPIRED, ids, kind, token, nowMs - this.claimTimeoutMs],
      );
      await this.pool.query(
        `UPDATE notifications FORCE INDEX (PRIMARY) SET state = ${CLAIMED}, claim_token = ?, claimed_ms = ?, attempts = attempts + 1
          WHERE checkin_id IN (?) AND kind = ? AND state = ${PENDING}`,
        [token, nowMs, ids, kind],
      );
      const [rows] = await this.pool.query(
        `SELECT CAST(checkin_id AS CHAR) AS id, kind, msisdn, text, state, claim_token
           FROM notifications FORCE INDEX (PRIMARY) WHERE checkin_id IN (?) AND kind = ?`,
        [ids, kind],
      );
      stored.push(...(rows as StoredRow[]));
    }
    for (const k of keys) if (!result.has(k[0])) result.set(k[0], null);
    const mine: NotificationRow[] = [];
    for (const r of stored) {
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

  /**
   * Hands messages claimed by `token` to the notifier and releases the claims of those it
   * refused. Nothing is written for a message sent: the caller clears the event's bit.
   */
  async send(mine: readonly NotificationRow[], token: string): Promise<Map<string, EventFailure | null>> {
    const { result, refused } = await this.hand(mine);
    const released = new Map<string, NotificationRow[]>();
    for (const r of refused) {
      const list = released.get(r.error);
      if (list) list.push(r.row);
      else released.set(r.error, [r.row]);
    }
    for (const [error, list] of released) {
      for (const [kind, ids] of idsByKind(list.map((r) => [r.checkinId, r.kind] as const))) {
        await queryRetrying(
          this.pool,
          `UPDATE notifications FORCE INDEX (PRIMARY) SET state = ${PENDING}, claim_token = NULL, last_error = ?
            WHERE checkin_id IN (?) AND kind = ? AND claim_token = ?`,
          [error, ids, kind, token],
        );
      }
    }
    return result;
  }

  /**
   * Hands confirmations claimed on their work rows at `claimedMs` to the notifier. Those it
   * refused go into the outbox unclaimed (state 0, with their text, for a retry through
   * `deliver`) and their work rows say so (IN_OUTBOX), in one transaction. Nothing is written
   * for a message sent: the caller clears the event's bit.
   */
  async sendClaimedOnWork(mine: readonly NotificationRow[], claimedMs: number, requestIds?: ReadonlyMap<string, string>): Promise<Map<string, EventFailure | null>> {
    const { result, refused } = await this.hand(mine, requestIds);
    if (refused.length > 0) {
      const now = Date.now();
      await withTransaction(this.pool, (conn) =>
        moveToOutbox(conn, refused.map(({ row, error }) => ({ ...row, claimedMs, error })), PENDING, now, claimedMs),
      );
    }
    return result;
  }

  /** The notifier's verdict per check-in (null: sent), and the messages it refused with their error. */
  private async hand(
    mine: readonly NotificationRow[],
    requestIds?: ReadonlyMap<string, string>,
  ): Promise<{ result: Map<string, EventFailure | null>; refused: Array<{ row: NotificationRow; error: string }> }> {
    const result = new Map<string, EventFailure | null>();
    const refused: Array<{ row: NotificationRow; error: string }> = [];
    const messages: OutboundMessage[] = mine.map((r) => ({ key: `${r.checkinId}:${r.kind}`, msisdn: r.msisdn, text: r.text, requestId: requestIds?.get(r.checkinId) }));
    const outcomes = await this.notifier.send(messages);
    for (let i = 0; i < mine.length; i++) {
      const r = mine[i]!;
      const o = outcomes[i];
      if (o === undefined || o.ok) {
        if (!result.has(r.checkinId)) result.set(r.checkinId, null);
        continue;
      }
      const code = isKnownCode(o.code) ? o.code : 'NOTIFY_SINK_ERROR';
      const f = failure(code, o.message);
      result.set(r.checkinId, f);
      refused.push({ row: r, error: `${f.code}: ${f.message}`.slice(0, 255) });
    }
    return { result, refused };
  }

  /**
   * Records messages claimed by `token` as sent (state 2) when their event will not complete
   * now (its bit stays pending): the next run then finds nothing to send instead of a claim
   * that expires to `uncertain`. Not the usual path: there the bit clear is the record.
   */
  async markSent(rows: readonly NotificationRow[], token: string): Promise<void> {
    const now = Date.now();
    for (const [kind, ids] of idsByKind(rows.map((r) => [r.checkinId, r.kind] as const))) {
      await queryRetrying(
        this.pool,
        `UPDATE notifications FORCE INDEX (PRIMARY) SET state = ${SENT}, sent_ms = ? WHERE checkin_id IN (?) AND kind = ? AND claim_token = ?`,
        [now, ids, kind, token],
      );
    }
  }
}

/**
 * Adds messages already claimed by `token`, inside the batch transaction (the common case:
 * new messages, sent once it commits). An existing (check-in, kind) is left alone and keeps
 * its first text. Returns how many were new; when that is all of them, they can be sent
 * without reading them back.
 */
export async function addClaimed(conn: PoolConnection, rows: readonly NotificationRow[], token: string, nowMs: number): Promise<number> {
  if (rows.length === 0) return 0;
  const [result] = await conn.query(
    `INSERT IGNORE INTO notifications (checkin_id, kind, msisdn, text, state, claim_token, claimed_ms, attempts, created_ms) VALUES ?`,
    [rows.map((r) => [BigInt(r.checkinId), r.kind, r.msisdn, r.text, CLAIMED, token, nowMs, 1, nowMs])],
  );
  return Number((result as { affectedRows: number }).affectedRows);
}

/**
 * Records, in the batch transaction, confirmations whose claim on the work row expired while
 * their event was still owed (the claiming worker died between the send and the bit clear):
 * `uncertain` in the outbox, never resent; the work rows point to the outbox (IN_OUTBOX).
 */
export async function addUncertain(conn: PoolConnection, rows: ReadonlyArray<NotificationRow & { readonly claimedMs: number }>, nowMs: number): Promise<void> {
  if (rows.length === 0) return;
  await moveToOutbox(conn, rows.map((r) => ({ ...r, error: CLAIM_EXPIRED })), UNCERTAIN, nowMs);
}

/**
 * Puts confirmations claimed on their work rows into the outbox in `state`, and points their
 * work rows there (IN_OUTBOX) — with `onlyClaimedAt`, only rows still holding that claim.
 */
async function moveToOutbox(
  conn: PoolConnection,
  rows: ReadonlyArray<NotificationRow & { readonly claimedMs: number; readonly error: string }>,
  state: number,
  nowMs: number,
  onlyClaimedAt?: number,
): Promise<void> {
  await conn.query(
    `INSERT IGNORE INTO notifications (checkin_id, kind, msisdn, text, state, claimed_ms, attempts, last_error, created_ms) VALUES ?`,
    [rows.map((r) => [BigInt(r.checkinId), r.kind, r.msisdn, r.text, state, r.claimedMs, 1, r.error, nowMs])],
  );
  const ids = sqlIds(rows.map((r) => r.checkinId));
  if (onlyClaimedAt === undefined) await conn.query(`UPDATE checkin_work SET notify_claim = ${IN_OUTBOX} WHERE checkin_id IN (?)`, [ids]);
  else await conn.query(`UPDATE checkin_work SET notify_claim = ${IN_OUTBOX} WHERE checkin_id IN (?) AND notify_claim = ?`, [ids, onlyClaimedAt]);
}

function isKnownCode(code: string): code is 'NOTIFY_TIMEOUT' | 'NOTIFY_HTTP_STATUS' | 'NOTIFY_CONNECT' | 'NOTIFY_SINK_ERROR' {
  return code === 'NOTIFY_TIMEOUT' || code === 'NOTIFY_HTTP_STATUS' || code === 'NOTIFY_CONNECT' || code === 'NOTIFY_SINK_ERROR';
}

/** Check-in ids (as integers) per notification kind. */
function idsByKind(keys: ReadonlyArray<readonly [string, string]>): Map<string, SqlIdList> {
  const byKind = new Map<string, string[]>();
  for (const [id, kind] of keys) {
    const list = byKind.get(kind);
    if (list) list.push(id);
    else byKind.set(kind, [id]);
  }
  const out = new Map<string, SqlIdList>();
  for (const [kind, ids] of byKind) out.set(kind, sqlIds(ids));
  return out;
}
