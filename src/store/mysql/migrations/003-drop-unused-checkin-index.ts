/**
 * `checkins.ix_checkins_venue_day` served no query: venue activity is read from
 * `reward_days (venue_id, day)` (skipper) and `stats_minute` (dashboards). Every check-in
 * paid for it on the hot path. `ix_checkins_user_day` stays for support look-ups of a
 * subscriber's history.
 */
export const up = [`ALTER TABLE checkins DROP INDEX IF EXISTS ix_checkins_venue_day`];
