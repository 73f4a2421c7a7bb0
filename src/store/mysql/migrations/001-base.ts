/** Venues, users, check-ins and the durable record of the work each check-in owes. */
export const up = [
  `CREATE TABLE IF NOT EXISTS venues (
     id VARCHAR(32) NOT NULL PRIMARY KEY,
     code VARCHAR(16) NULL,
     name VARCHAR(120) NOT NULL,
     city VARCHAR(64) NOT NULL,
     open TINYINT(1) NOT NULL DEFAULT 1,
     version INT UNSIGNED NOT NULL DEFAULT 1,
     updated_at BIGINT NOT NULL,
     UNIQUE KEY uq_venues_code (code),
     KEY ix_venues_updated (updated_at)
   ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  `CREATE TABLE IF NOT EXISTS users (
     msisdn VARCHAR(16) NOT NULL PRIMARY KEY,
     home_site VARCHAR(16) NOT NULL,
     city VARCHAR(64) NULL,
     lang VARCHAR(8) NULL,
     version INT UNSIGNED NOT NULL DEFAULT 1,
     created_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL
   ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  // Check-ins are immutable. (client_id, request_key) enforces idempotency across processes.
  `CREATE TABLE IF NOT EXISTS checkins (
     id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
     msisdn VARCHAR(16) NOT NULL,
     venue_id VARCHAR(32) NOT NULL,
     channel VARCHAR(8) NOT NULL,
     site VARCHAR(16) NOT NULL,
     at_ms BIGINT NOT NULL,
     day DATE NOT NULL,
     rewarded TINYINT(1) NOT NULL DEFAULT 0,
     client_id VARCHAR(40) NOT NULL,
     request_key VARCHAR(128) NULL,
     request_hash CHAR(32) NULL,
     UNIQUE KEY uq_checkins_request (client_id, request_key),
     KEY ix_checkins_user_day (msisdn, day),
     KEY ix_checkins_venue_day (venue_id, day)
   ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  // First check-in of a user at a venue on a local day wins the reward: the primary key decides.
  `CREATE TABLE IF NOT EXISTS reward_days (
     msisdn VARCHAR(16) NOT NULL,
     venue_id VARCHAR(32) NOT NULL,
     day DATE NOT NULL,
     checkin_id BIGINT UNSIGNED NOT NULL,
     PRIMARY KEY (msisdn, venue_id, day),
     UNIQUE KEY uq_reward_days_checkin (checkin_id)
   ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  // One row per check-in: a bit per post-processing event owed here (core/events.ts).
  // pending = owed bits not yet done; dead = bits parked after too many attempts.
  `CREATE TABLE IF NOT EXISTS checkin_work (
     checkin_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
     owed TINYINT UNSIGNED NOT NULL,
     pending TINYINT UNSIGNED NOT NULL,
     dead TINYINT UNSIGNED NOT NULL DEFAULT 0,
     attempts SMALLINT UNSIGNED NOT NULL DEFAULT 0,
     next_attempt_ms BIGINT NOT NULL DEFAULT 0,
     last_error VARCHAR(255) NULL,
     committed_ms BIGINT NOT NULL,
     KEY ix_work_pending (pending, next_attempt_ms)
   ) ENGINE=InnoDB`,
  // Replication owed: a row per (peer, check-in), deleted when the peer acknowledges.
  // Per-peer rows avoid the "last id seen" cursor that skips rows committed out of id order.
  `CREATE TABLE IF NOT EXISTS sync_outbox (
     peer VARCHAR(16) NOT NULL,
     checkin_id BIGINT UNSIGNED NOT NULL,
     attempts SMALLINT UNSIGNED NOT NULL DEFAULT 0,
     next_attempt_ms BIGINT NOT NULL DEFAULT 0,
     last_error VARCHAR(255) NULL,
     PRIMARY KEY (peer, checkin_id)
   ) ENGINE=InnoDB`,
];
