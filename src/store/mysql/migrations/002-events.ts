/**
 * Post-processing state (issue 4): the points ledger and the totals derived from it, skipper
 * state, the notification outbox (one row per check-in and kind: sent once), per-minute stats.
 * Totals are always the ledger's sum; `hopgate rebuild-read-model` recomputes Redis from the ledger.
 */
export const up = [
  // Unique per (check-in, rule): a replayed points.award can never add an entry twice.
  `CREATE TABLE IF NOT EXISTS points_ledger (
     checkin_id BIGINT UNSIGNED NOT NULL,
     rule VARCHAR(16) NOT NULL,
     msisdn VARCHAR(16) NOT NULL,
     venue_id VARCHAR(32) NOT NULL,
     city VARCHAR(64) NOT NULL,
     day DATE NOT NULL,
     week CHAR(8) NOT NULL,
     points INT NOT NULL,
     at_ms BIGINT NOT NULL,
     PRIMARY KEY (checkin_id, rule),
     KEY ix_ledger_user_day (msisdn, day)
   ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  // reached_ms: when the total was last raised (the check-in's time): ties on a board go to the earlier.
  `CREATE TABLE IF NOT EXISTS user_totals (
     msisdn VARCHAR(16) NOT NULL PRIMARY KEY,
     total BIGINT NOT NULL,
     reached_ms BIGINT NOT NULL,
     city VARCHAR(64) NOT NULL
   ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  `CREATE TABLE IF NOT EXISTS user_city_totals (
     msisdn VARCHAR(16) NOT NULL,
     city VARCHAR(64) NOT NULL,
     total BIGINT NOT NULL,
     reached_ms BIGINT NOT NULL,
     PRIMARY KEY (msisdn, city)
   ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  `CREATE TABLE IF NOT EXISTS user_week_totals (
     msisdn VARCHAR(16) NOT NULL,
     week CHAR(8) NOT NULL,
     total BIGINT NOT NULL,
     reached_ms BIGINT NOT NULL,
     PRIMARY KEY (msisdn, week)
   ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  // days = the skipper's count at the last evaluation (core/skipper.ts needsFullCount).
  `CREATE TABLE IF NOT EXISTS skipper_state (
     venue_id VARCHAR(32) NOT NULL PRIMARY KEY,
     msisdn VARCHAR(16) NULL,
     days SMALLINT UNSIGNED NOT NULL DEFAULT 0,
     since_ms BIGINT NOT NULL DEFAULT 0,
     evaluated_day DATE NOT NULL,
     updated_ms BIGINT NOT NULL
   ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  // Outbox of subscriber messages. state: 0 pending, 1 claimed (sending), 2 sent, 3 uncertain
  // (claimed by a worker that died before confirming; not resent, to never send twice).
  `CREATE TABLE IF NOT EXISTS notifications (
     checkin_id BIGINT UNSIGNED NOT NULL,
     kind VARCHAR(16) NOT NULL,
     msisdn VARCHAR(16) NOT NULL,
     text VARCHAR(480) NOT NULL,
     state TINYINT UNSIGNED NOT NULL DEFAULT 0,
     claim_token VARCHAR(32) NULL,
     claimed_ms BIGINT NULL,
     sent_ms BIGINT NULL,
     attempts SMALLINT UNSIGNED NOT NULL DEFAULT 0,
     last_error VARCHAR(255) NULL,
     created_ms BIGINT NOT NULL,
     PRIMARY KEY (checkin_id, kind),
     KEY ix_notifications_state (state, claimed_ms)
   ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  `CREATE TABLE IF NOT EXISTS stats_minute (
     minute_ms BIGINT NOT NULL,
     venue_id VARCHAR(32) NOT NULL,
     channel VARCHAR(8) NOT NULL,
     checkins INT UNSIGNED NOT NULL,
     rewarded INT UNSIGNED NOT NULL,
     PRIMARY KEY (minute_ms, venue_id, channel),
     KEY ix_stats_venue_minute (venue_id, minute_ms)
   ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  // Skipper full counts scan one venue's window; dead-letter listing scans parked rows.
  `ALTER TABLE reward_days ADD INDEX IF NOT EXISTS ix_reward_days_venue_day (venue_id, day, msisdn)`,
  `ALTER TABLE checkin_work ADD INDEX IF NOT EXISTS ix_work_dead (dead)`,
];
