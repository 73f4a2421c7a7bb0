import { isCityName } from './checkin.js';
/**
 * Leaderboards are Redis sorted sets in the read model. Ties go to whoever reached the
 * score first, so the score packs the points and "how early" into one double:
 *
 *   score = points + (2^32 - 1 - secondsSinceEpoch) / 2^32
 *
 * The integer part is the points; the fraction is larger for earlier achievers. A double
 * has 53 bits of mantissa: up to 2^20 points the fraction keeps 1-second resolution,
 * beyond that ties resolve more coarsely (but still earlier-first).
 */
import { ID_EPOCH_MS } from './ids.js';

const FRACTION_SCALE = 2 ** 32;

export type BoardName = 'global' | 'week' | `city:${string}`;

export function encodeScore(points: number, reachedAtMs: number): number {
  const seconds = Math.max(0, Math.floor((reachedAtMs - ID_EPOCH_MS) / 1000));
  return points + (FRACTION_SCALE - 1 - Math.min(seconds, FRACTION_SCALE - 1)) / FRACTION_SCALE;
}

export function decodePoints(score: number): number {
  return Math.floor(score);
}

/** Parses a board name from the API (`global`, `week`, `city:{name}`). */
export function parseBoardName(raw: string): BoardName | null {
  if (raw === 'global' || raw === 'week') return raw;
  if (raw.startsWith('city:')) {
    const city = raw.slice(5);
    if (isCityName(city)) return `city:${city.toLowerCase()}` as BoardName;
  }
  return null;
}

/** Read-model key names, relative to the read model's key prefix. */
export const readModelKeys = {
  board(board: BoardName, isoWeek: string): string {
    if (board === 'global') return 'lb:global';
    if (board === 'week') return `lb:week:${isoWeek}`;
    return `lb:city:${board.slice(5)}`;
  },
  /** Hash: `total`, `city`, `updatedAt` of a user. */
  user(msisdn: string): string {
    return `user:${msisdn}`;
  },
  /**
   * String `<rewarded 0|1>:<points>:<total>`: what the points site's ledger gave a check-in
   * made at another site, for that site's confirmation (read from its replica). Expires.
   */
  award(checkinId: string): string {
    return `award:${checkinId}`;
  },
  /** Hash: `msisdn`, `days`, `since` of a venue's current skipper. */
  skipper(venueId: string): string {
    return `skipper:${venueId}`;
  },
} as const;
