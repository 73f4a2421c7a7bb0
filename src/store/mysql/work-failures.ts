import type { Pool, PoolConnection } from 'mysql2/promise';
import { sqlIds } from './sql-ids.js';

/**
 * Records a failed attempt for check-ins whose events are still pending: one more attempt,
 * the error, the time of the next attempt — or, once `maxAttempts` is reached, the still
 * pending bits move to `dead` (a dead letter) and nothing is pending any more. The decision
 * is taken per row in SQL, so the caller need not know each row's attempt count.
 * (MariaDB applies SET assignments left to right: `dead` reads `pending` before it is zeroed.)
 * FORCE INDEX: with few rows pending the optimizer may prefer another index, whose scan
 * would lock other batches' rows.
 */
export async function recordAttemptFailure(
  db: Pool | PoolConnection,
  ids: readonly string[],
  error: string,
  nextAttemptMs: number,
  maxAttempts: number,
): Promise<void> {
  if (ids.length === 0) return;
  await db.query(
    `UPDATE checkin_work FORCE INDEX (PRIMARY) SET
       dead = IF(attempts + 1 >= ?, dead | pending, dead),
       pending = IF(attempts + 1 >= ?, 0, pending),
       next_attempt_ms = ?,
       last_error = ?,
       attempts = attempts + 1
     WHERE checkin_id IN (?) AND pending <> 0`,
    [maxAttempts, maxAttempts, nextAttemptMs, error.slice(0, 255), sqlIds(ids)],
  );
}
