import type { Pool } from 'mysql2/promise';
import { sqlIds } from './sql-ids.js';
import { ALL_EVENTS_MASK, EVENT_BIT, eventsInMask, type EventType } from '../../core/events.js';

export interface DeadLetter {
  readonly checkinId: string;
  readonly events: readonly EventType[];
  readonly attempts: number;
  readonly lastError: string | null;
  readonly committedMs: number;
  readonly msisdn: string | null;
  readonly venueId: string | null;
  readonly atMs: number | null;
}

export interface DeadLetterQuery {
  /** @defaultValue 100, at most 1000 */
  readonly limit?: number;
  /** Page after this check-in id (ids ascend). */
  readonly after?: string;
  readonly event?: EventType;
}

export interface ReplayRequest {
  /** Check-ins to replay; omit with `all: true` to replay every dead letter. */
  readonly ids?: readonly string[];
  readonly all?: boolean;
  /** Only this event's dead letters (default: all events). */
  readonly event?: EventType;
}

/**
 * Dead letters: events parked in `checkin_work.dead` after their last attempt. Listing reads
 * ix_work_dead; replaying moves the bits back to `pending` with a fresh attempt count, and
 * the dispatcher's recovery loop runs them again.
 */
export class DeadLetterRepository {
  constructor(private readonly pool: Pool) {}

  async list(q: DeadLetterQuery = {}): Promise<DeadLetter[]> {
    const limit = Math.min(Math.max(1, q.limit ?? 100), 1000);
    const mask = q.event ? EVENT_BIT[q.event] : ALL_EVENTS_MASK;
    const [rows] = await this.pool.query(
      `SELECT CAST(w.checkin_id AS CHAR) AS id, w.dead, w.attempts, w.last_error, w.committed_ms, c.msisdn, c.venue_id, c.at_ms
         FROM checkin_work w LEFT JOIN checkins c ON c.id = w.checkin_id
        WHERE w.dead <> 0 AND (w.dead & ?) <> 0 ${q.after ? 'AND w.checkin_id > ?' : ''}
        ORDER BY w.checkin_id LIMIT ?`,
      q.after ? [mask, BigInt(q.after), limit] : [mask, limit],
    );
    return (rows as Row[]).map((r) => ({
      checkinId: r.id,
      events: eventsInMask(Number(r.dead)),
      attempts: Number(r.attempts),
      lastError: r.last_error,
      committedMs: Number(r.committed_ms),
      msisdn: r.msisdn,
      venueId: r.venue_id,
      atMs: r.at_ms === null ? null : Number(r.at_ms),
    }));
  }

  /** Returns how many check-ins had dead events revived. */
  async replay(req: ReplayRequest): Promise<number> {
    const mask = req.event ? EVENT_BIT[req.event] : ALL_EVENTS_MASK;
    const scope = req.all ? '' : 'AND checkin_id IN (?)';
    if (!req.all && (!req.ids || req.ids.length === 0)) return 0;
    const [result] = await this.pool.query(
      `UPDATE checkin_work SET pending = pending | (dead & ?), dead = dead & ?, attempts = 0, next_attempt_ms = 0, last_error = NULL
        WHERE dead <> 0 AND (dead & ?) <> 0 ${scope}`,
      req.all ? [mask, ALL_EVENTS_MASK & ~mask, mask] : [mask, ALL_EVENTS_MASK & ~mask, mask, sqlIds(req.ids ?? [])],
    );
    return Number((result as { affectedRows: number }).affectedRows);
  }

  async count(): Promise<number> {
    const [rows] = await this.pool.query('SELECT COUNT(*) AS n FROM checkin_work WHERE dead <> 0');
    return Number((rows as Array<{ n: string }>)[0]?.n ?? 0);
  }
}

interface Row {
  id: string;
  dead: number;
  attempts: number;
  last_error: string | null;
  committed_ms: string;
  msisdn: string | null;
  venue_id: string | null;
  at_ms: string | null;
}

const EVENT_NAMES = new Set<string>(Object.keys(EVENT_BIT));

export function isEventType(value: unknown): value is EventType {
  return typeof value === 'string' && EVENT_NAMES.has(value);
}
