/**
 * Cheaper post-processing writes (issue 4, throughput):
 *
 * - `notifications.ix_notifications_state (state, claimed_ms)` and
 *   `stats_minute.ix_stats_venue_minute (venue_id, minute_ms)` served no query (the outbox
 *   names its rows by primary key; nothing reads the counters by venue yet) while every
 *   message and every new counter row paid for them. A dashboard reading one venue's history
 *   should add its index back in its own migration.
 * - A sent message is no longer marked `sent` (state 2) by a second write: a message claimed
 *   (state 1) whose event bit is neither pending nor dead was sent — the bit clear that
 *   completes the event is the record (src/workers/notification-outbox.ts). The view spells
 *   the status out for operators and tests: `skipper` messages belong to
 *   `skipper.evaluate` (bit 4), `checkin` ones to `notify.user` (bit 8). A claim whose bit
 *   went dead was made by a batch that never recorded the send: `uncertain`, as the outbox
 *   marks an expired claim when the event runs again.
 */
export const up = [
  `ALTER TABLE notifications DROP INDEX IF EXISTS ix_notifications_state`,
  `ALTER TABLE stats_minute DROP INDEX IF EXISTS ix_stats_venue_minute`,
  `CREATE OR REPLACE VIEW notification_status AS
   SELECT n.checkin_id, n.kind, n.msisdn, n.text, n.state, n.attempts, n.last_error, n.claimed_ms, n.created_ms,
          CASE
            WHEN n.state = 0 THEN 'pending'
            WHEN n.state = 2 THEN 'sent'
            WHEN n.state = 3 THEN 'uncertain'
            WHEN w.checkin_id IS NULL THEN 'sent'
            WHEN (w.pending & IF(n.kind = 'skipper', 4, 8)) <> 0 THEN 'sending'
            WHEN (w.dead & IF(n.kind = 'skipper', 4, 8)) <> 0 THEN 'uncertain'
            ELSE 'sent'
          END AS status
     FROM notifications n LEFT JOIN checkin_work w ON w.checkin_id = n.checkin_id`,
];
