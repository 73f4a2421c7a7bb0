import type { Pool, PoolConnection } from 'mysql2/promise';
import { sqlIds } from '../store/mysql/sql-ids.js';
import { ALL_EVENTS_MASK } from '../core/events.js';

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

/**
 * Locks the work rows of `ids` that still have an event pending, in id order, and returns
 * their pending masks. Inside the batch transaction this is the exactly-once guard of the
 * MySQL-side effects: they and the clearing of their bits commit together, and a second run
 * finds the bits cleared.
 */
export async function lockWork(conn: PoolConnection, ids: readonly string[]): Promise<Map<string, number>> {
  const locked = new Map<string, number>();
  if (ids.length === 0) return locked;
  const [rows] = await conn.query(
    `SELECT CAST(checkin_id AS CHAR) AS id, pending FROM checkin_work
      WHERE checkin_id IN (?) AND pending <> 0 ORDER BY checkin_id FOR UPDATE`,
    [sqlIds(ids)],
  );
  for (const r of rows as Array<{ id: string; pending: number | string }>) locked.set(r.id, Number(r.pending));
  return locked;
}

/**
 * Clears completed bits: `done` maps a check-in id to the bits to clear. One statement per
 * distinct mask (usually one for the whole batch).
 */
export async function clearBits(db: Pool | PoolConnection, done: ReadonlyMap<string, number>): Promise<void> {
  const byMask = new Map<number, string[]>();
  for (const [id, mask] of done) {
    if (mask === 0) continue;
    const list = byMask.get(mask);
    if (list) list.push(id);
    else byMask.set(mask, [id]);
  }
  for (const [mask, ids] of byMask) {
    const sql = `UPDATE checkin_work SET pending = pending & ${ALL_EVENTS_MASK & ~mask} WHERE checkin_id IN (?)`;
    if ('getConnection' in db) await queryRetrying(db, sql, [sqlIds(ids)]);
    else await db.query(sql, [sqlIds(ids)]);
  }
}
