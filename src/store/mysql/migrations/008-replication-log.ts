/**
 * Replication between sites (issue 11): a commit log with a cursor per peer replaces the
 * row per (peer, check-in) that migration 001 planned.
 *
 * - `sync_log`: one row per replicated write transaction — a check-in batch of the writer,
 *   a venue change — naming what it wrote (`refs`: comma-separated ids). A batch of 200
 *   check-ins costs one small row instead of 200 per peer, and nothing is deleted per
 *   check-in when a peer acknowledges. Each peer's sender keeps a cursor over `seq`.
 *   `seq` values become visible in commit order, not in `seq` order: the sender tracks the
 *   gaps it has seen until they fill or provably never will (src/sync/log-cursor.ts).
 * - `sync_peers`: each peer's cursor (every entry ≤ cursor_seq was acknowledged).
 * - `sync_inbox`: the entries received from each origin, so a batch sent twice is applied
 *   once (check-ins are also idempotent on their id, venues on their version).
 * - `sync_dead_letters`: records a peer refused with a reason (parked at the origin).
 * - `venues.origin_site`: the site that made the venue's current version; concurrent edits
 *   resolve by (version, origin_site), the same everywhere.
 *
 * Rows an older version left in `sync_outbox` (never sent: there was no sender) become log
 * entries of 256 check-ins each, so nothing owed is dropped with the table.
 */
export const up = [
  `CREATE TABLE IF NOT EXISTS sync_log (
     seq BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
     kind VARCHAR(8) NOT NULL,
     refs MEDIUMTEXT NOT NULL,
     n SMALLINT UNSIGNED NOT NULL,
     created_ms BIGINT NOT NULL
   ) ENGINE=InnoDB DEFAULT CHARSET=ascii COLLATE=ascii_bin`,
  `CREATE TABLE IF NOT EXISTS sync_peers (
     peer VARCHAR(16) NOT NULL PRIMARY KEY,
     cursor_seq BIGINT UNSIGNED NOT NULL,
     updated_ms BIGINT NOT NULL
   ) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS sync_inbox (
     origin VARCHAR(16) NOT NULL,
     seq BIGINT UNSIGNED NOT NULL,
     received_ms BIGINT NOT NULL,
     PRIMARY KEY (origin, seq),
     KEY ix_sync_inbox_received (received_ms)
   ) ENGINE=InnoDB`,
  `CREATE TABLE IF NOT EXISTS sync_dead_letters (
     id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
     peer VARCHAR(16) NOT NULL,
     seq BIGINT UNSIGNED NOT NULL,
     record_type VARCHAR(8) NOT NULL,
     record_id VARCHAR(40) NOT NULL,
     reason VARCHAR(255) NOT NULL,
     created_ms BIGINT NOT NULL,
     UNIQUE KEY uq_sync_dead_letters (peer, seq, record_type, record_id)
   ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  `ALTER TABLE venues ADD COLUMN IF NOT EXISTS origin_site VARCHAR(16) NOT NULL DEFAULT ''`,
  `INSERT INTO sync_log (kind, refs, n, created_ms)
   SELECT 'checkin', GROUP_CONCAT(checkin_id ORDER BY checkin_id), COUNT(*), UNIX_TIMESTAMP() * 1000
     FROM (SELECT checkin_id, (ROW_NUMBER() OVER (ORDER BY checkin_id) - 1) DIV 256 AS g
             FROM (SELECT DISTINCT checkin_id FROM sync_outbox) d) t
    GROUP BY g`,
  `DROP TABLE IF EXISTS sync_outbox`,
];
