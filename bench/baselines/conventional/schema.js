// The conventional stack's schema: the tables a team would write for the same contract
// (check-ins, the reward-day rule, idempotency keys) and for its five BullMQ jobs.
export const SCHEMA = [
  `CREATE TABLE venues (
     id VARCHAR(32) NOT NULL PRIMARY KEY,
     name VARCHAR(64) NOT NULL,
     city VARCHAR(64) NOT NULL,
     open TINYINT(1) NOT NULL DEFAULT 1
   ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  `CREATE TABLE users (
     msisdn VARCHAR(16) NOT NULL PRIMARY KEY,
     city VARCHAR(64) NULL,
     created_at BIGINT NOT NULL,
     updated_at BIGINT NOT NULL
   ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  `CREATE TABLE checkins (
     id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT PRIMARY KEY,
     msisdn VARCHAR(16) NOT NULL,
     venue_id VARCHAR(32) NOT NULL,
     channel VARCHAR(8) NOT NULL,
     at_ms BIGINT NOT NULL,
     day DATE NOT NULL,
     client_id VARCHAR(40) NOT NULL,
     request_key VARCHAR(128) NULL,
     request_hash CHAR(32) NULL,
     UNIQUE KEY uq_checkins_request (client_id, request_key),
     KEY ix_checkins_user_day (msisdn, day),
     KEY ix_checkins_venue_day (venue_id, day)
   ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  `CREATE TABLE reward_days (
     msisdn VARCHAR(16) NOT NULL,
     venue_id VARCHAR(32) NOT NULL,
     day DATE NOT NULL,
     checkin_id BIGINT UNSIGNED NOT NULL,
     PRIMARY KEY (msisdn, venue_id, day),
     UNIQUE KEY uq_reward_days_checkin (checkin_id),
     KEY ix_reward_days_venue_day (venue_id, day, msisdn)
   ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  // Jobs: points.award → ledger + totals; skipper.evaluate → skippers; notify.user →
  // notifications; stats.record → stats_minute; leaderboard.update → Redis sorted sets.
  `CREATE TABLE points_ledger (
     checkin_id BIGINT UNSIGNED NOT NULL,
     rule VARCHAR(16) NOT NULL,
     msisdn VARCHAR(16) NOT NULL,
     points INT NOT NULL,
     PRIMARY KEY (checkin_id, rule)
   ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  `CREATE TABLE user_points (
     msisdn VARCHAR(16) NOT NULL PRIMARY KEY,
     total INT NOT NULL
   ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  `CREATE TABLE skippers (
     venue_id VARCHAR(32) NOT NULL PRIMARY KEY,
     msisdn VARCHAR(16) NOT NULL,
     days INT NOT NULL,
     since_ms BIGINT NOT NULL
   ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  `CREATE TABLE notifications (
     checkin_id BIGINT UNSIGNED NOT NULL PRIMARY KEY,
     msisdn VARCHAR(16) NOT NULL,
     text VARCHAR(160) NOT NULL,
     sent_ms BIGINT NOT NULL
   ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
  `CREATE TABLE stats_minute (
     minute_ms BIGINT NOT NULL,
     venue_id VARCHAR(32) NOT NULL,
     channel VARCHAR(8) NOT NULL,
     checkins INT UNSIGNED NOT NULL,
     rewarded INT UNSIGNED NOT NULL,
     PRIMARY KEY (minute_ms, venue_id, channel)
   ) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin`,
];

/** The five events of a check-in, one BullMQ job each (hopgate's core/events.ts names). */
export const JOBS = ['points.award', 'leaderboard.update', 'skipper.evaluate', 'notify.user', 'stats.record'];

export const CITIES = ['Nairobi', 'Mombasa', 'Kisumu', 'Nakuru', 'Eldoret', 'Thika', 'Malindi', 'Kitale'];

/** Same venue ids, names and cities as `hopgate seed` (src/store/mysql/seed.ts). */
export function seedVenues(count) {
  return Array.from({ length: count }, (_, k) => [String(100_000 + k), `Venue ${CITIES[k % CITIES.length]} ${k}`, CITIES[k % CITIES.length], 1]);
}
