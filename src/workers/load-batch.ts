import type { Pool } from 'mysql2/promise';
import { sqlIds } from '../store/mysql/sql-ids.js';
import { dayNumberToIso, isoWeekOfDayNumber } from '../core/time.js';
import { NO_CLAIM, NO_MESSAGES, type WorkItem } from './work-item.js';

/** Days between 0000-00-00 (MySQL TO_DAYS) and 1970-01-01 (our day numbers). */
export const TO_DAYS_EPOCH = 719528;

interface Row {
  id: string;
  pending: number;
  attempts: number;
  committed_ms: string;
  msisdn: string;
  venue_id: string;
  channel: string;
  site: string;
  at_ms: string;
  dayn: number | string;
  rewarded: number;
  city: string | null;
  venue_name: string | null;
}

/**
 * Loads the check-ins of a batch with the events still pending, in id (time) order. Rows
 * already completed or parked come back with nothing pending and are left out: a task that
 * arrives twice does nothing the second time.
 */
export async function loadBatch(pool: Pool, ids: readonly string[]): Promise<WorkItem[]> {
  if (ids.length === 0) return [];
  const [rows] = await pool.query(
    `SELECT CAST(w.checkin_id AS CHAR) AS id, w.pending, w.attempts, w.committed_ms,
            c.msisdn, c.venue_id, c.channel, c.site, c.at_ms, TO_DAYS(c.day) - ${TO_DAYS_EPOCH} AS dayn,
            r.checkin_id IS NOT NULL AS rewarded, v.city, v.name AS venue_name
       FROM checkin_work w
       JOIN checkins c ON c.id = w.checkin_id
       LEFT JOIN reward_days r ON r.checkin_id = c.id
       LEFT JOIN venues v ON v.id = c.venue_id
      WHERE w.checkin_id IN (?) AND w.pending <> 0
      ORDER BY w.checkin_id`,
    [sqlIds(ids)],
  );
  // A batch spans a few days: each day's ISO date and week are computed once.
  const days = new Map<number, DayNames>();
  return (rows as Row[]).map((r) => toItem(r, days));
}

interface DayNames {
  readonly iso: string;
  readonly week: string;
}

function toItem(r: Row, days: Map<number, DayNames>): WorkItem {
  const day = Number(r.dayn);
  let names = days.get(day);
  if (!names) days.set(day, (names = { iso: dayNumberToIso(day), week: isoWeekOfDayNumber(day) }));
  return {
    id: r.id,
    pending: Number(r.pending),
    loadedPending: Number(r.pending),
    notifyClaim: NO_CLAIM,
    inLedger: false,
    outbox: NO_MESSAGES,
    attempts: Number(r.attempts),
    committedMs: Number(r.committed_ms),
    msisdn: r.msisdn,
    venueId: r.venue_id,
    venueName: r.venue_name,
    city: r.city,
    channel: r.channel as WorkItem['channel'],
    site: r.site,
    atMs: Number(r.at_ms),
    day,
    dayIso: names.iso,
    isoWeek: names.week,
    rewarded: Number(r.rewarded) === 1,
  };
}
