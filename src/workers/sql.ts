import type { Pool, PoolConnection } from 'mysql2/promise';
import { sqlIds } from '../store/mysql/sql-ids.js';
import { ALL_EVENTS_MASK } from '../core/events.js';
import { NO_MESSAGES, type OutboxKey } from './work-item.js';

const CONFLICT_CODES = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT']);

/**
 * Runs `fn` in a transaction; a deadlock or lock-wait timeout (two batches touching the same
 * user or venue) is retried a few times before it counts as a failure.
 */
export async function withTransaction<T>(pool: Pool, fn: (conn: PoolConnection) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const conn = await pool.getConnection();
    try {
      await conn.query('START TRANSACTION');
      const result = await fn(conn);
      await conn.query('COMMIT');
      return result;
    } catch (e) {
      await conn.query('ROLLBACK').catch(ignore);
      if (attempt < 4 && isLockConflict(e)) {
        // A short random pause, so two batches that collided do not collide again at once.
        await new Promise((r) => setTimeout(r, 5 + Math.floor(Math.random() * 20 * attempt)));
        continue;
      }
      throw e;
    } finally {
      conn.release();
    }
  }
}

function ignore(): void {}

/** A deadlock or lock-wait timeout: a collision with another batch, not a fault of the data. */
export function isLockConflict(e: unknown): boolean {
  const code = (e as { code?: string } | null)?.code;
  return code !== undefined && CONFLICT_CODES.has(code);
}

/**
 * Runs one autocommit statement that is safe to repeat (marking messages sent, clearing
 * bits), retrying a deadlock or lock-wait timeout a few times: failing it would make the
 * whole batch's work look undone although its effects happened.
 */
export async function queryRetrying(db: Pool, sql: string, values: unknown[]): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    try {
      const [result] = await db.query(sql, values);
      return result;
    } catch (e) {
      const code = (e as { code?: string } | null)?.code;
      if (attempt >= 4 || code === undefined || !CONFLICT_CODES.has(code)) throw e;
      await new Promise((r) => setTimeout(r, 10 * attempt));
    }
  }
}

/** A work row as the batch transaction locked it, with what the handlers need to know of it. */
export interface LockedWork {
  readonly pending: number;
  /** The confirmation's claim on this row (migration 006, WorkItem.notifyClaim). */
  readonly notifyClaim: number;
  /** Whether the ledger has entries for the check-in (false when not asked for). */
  readonly inLedger: boolean;
  /** The check-in's messages in the outbox. */
  readonly outbox: readonly OutboxKey[];
}

/**
 * Locks the work rows of `ids` that still have an event pending, in id order, and returns
 * their pending masks and confirmation claims. Inside the batch transaction this is the
 * exactly-once guard of the MySQL-side effects: they and the clearing of their bits commit
 * together, and a second run finds the bits cleared.
 *
 * The same statement says, per check-in, whether the ledger already has its entries (with
 * `ledger`, where points run here) and which messages the outbox holds for it (usually
 * none): one pass over the batch's ids instead of three (a list of thousands of ids costs
 * MariaDB its parse and range analysis each time).
 */
export async function lockWork(conn: PoolConnection, ids: readonly string[], opts: { ledger: boolean }): Promise<Map<string, LockedWork>> {
  const locked = new Map<string, LockedWork>();
  if (ids.length === 0) return locked;
  const ledger = opts.ledger ? 'EXISTS (SELECT 1 FROM points_ledger l WHERE l.checkin_id = w.checkin_id)' : '0';
  const [rows] = await conn.query(
    `SELECT CAST(w.checkin_id AS CHAR) AS id, w.pending, w.notify_claim, ${ledger} AS in_ledger,
            (SELECT GROUP_CONCAT(n.kind, ':', n.state) FROM notifications n WHERE n.checkin_id = w.checkin_id) AS outbox
       FROM checkin_work w
      WHERE w.checkin_id IN (?) AND w.pending <> 0 ORDER BY w.checkin_id FOR UPDATE`,
    [sqlIds(ids)],
  );
  for (const r of rows as Array<{ id: string; pending: number | string; notify_claim: number | string; in_ledger: number | string; outbox: string | null }>) {
    locked.set(r.id, {
      pending: Number(r.pending),
      notifyClaim: Number(r.notify_claim),
      inLedger: Number(r.in_ledger) === 1,
      outbox: r.outbox === null ? NO_MESSAGES : parseOutbox(r.outbox),
    });
  }
  return locked;
}

/** `checkin:1,skipper:0` → the messages' kinds and states. */
function parseOutbox(list: string): OutboxKey[] {
  return list.split(',').map((e) => {
    const i = e.lastIndexOf(':');
    return { kind: e.slice(0, i) as OutboxKey['kind'], state: Number(e.slice(i + 1)) };
  });
}

/** Check-ins whose confirmation the batch claims on their work row, and the claim's time. */
export interface WorkClaims {
  readonly ids: ReadonlySet<string>;
  readonly atMs: number;
}

/**
 * Clears completed bits: `done` maps a check-in id to the bits to clear. In the batch
 * transaction, the same statement also sets the confirmation claims (`claims`) of its rows,
 * so that a claim costs no row write of its own. One statement per distinct mask and claim
 * (usually one for the whole batch).
 */
export async function clearBits(db: Pool | PoolConnection, done: ReadonlyMap<string, number>, claims?: WorkClaims): Promise<void> {
  const groups = new Map<string, { mask: number; claim: boolean; ids: string[] }>();
  const add = (id: string, mask: number, claim: boolean) => {
    if (mask === 0 && !claim) return;
    const key = `${mask}/${claim}`;
    const g = groups.get(key);
    if (g) g.ids.push(id);
    else groups.set(key, { mask, claim, ids: [id] });
  };
  for (const [id, mask] of done) add(id, mask, claims?.ids.has(id) === true);
  if (claims) for (const id of claims.ids) if (!done.has(id)) add(id, 0, true);
  for (const g of groups.values()) {
    const set: string[] = [];
    if (g.mask !== 0) set.push(`pending = pending & ${ALL_EVENTS_MASK & ~g.mask}`);
    if (g.claim) set.push(`notify_claim = ${Math.trunc(claims!.atMs)}`);
    const sql = `UPDATE checkin_work SET ${set.join(', ')} WHERE checkin_id IN (?)`;
    if ('getConnection' in db) await queryRetrying(db, sql, [sqlIds(g.ids)]);
    else await db.query(sql, [sqlIds(g.ids)]);
  }
}
