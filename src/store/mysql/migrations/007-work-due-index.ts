/**
 * The recovery loop's index no longer changes at every bit clear (issue 4, throughput).
 *
 * `ix_work_pending (pending, next_attempt_ms)` held the pending mask itself, so each of the
 * two statements that clear a batch's bits (in its transaction, then after publishing) moved
 * every row's entry in that index. `has_pending` is `pending <> 0` as a virtual column, and
 * `ix_work_due (has_pending, next_attempt_ms)` changes only when the last bit is cleared (or
 * an attempt is rescheduled). Virtual: computed, not stored, so adding it needs no table copy
 * (only the new index is built). Readers must name `has_pending` (MariaDB does not match
 * `pending <> 0` to the index): src/store/mysql/work-store.ts.
 */
export const up = [
  `ALTER TABLE checkin_work ADD COLUMN IF NOT EXISTS has_pending TINYINT AS (pending <> 0) VIRTUAL`,
  `ALTER TABLE checkin_work ADD INDEX IF NOT EXISTS ix_work_due (has_pending, next_attempt_ms)`,
  `ALTER TABLE checkin_work DROP INDEX IF EXISTS ix_work_pending`,
];
