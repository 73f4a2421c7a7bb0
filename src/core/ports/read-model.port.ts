import type { BoardName } from '../leaderboard.js';

/** A user's standing on the global board. */
export interface Standing {
  readonly total: number;
  /** 1-based rank on the global board; null when the user has no points yet. */
  readonly rank: number | null;
}

export interface BoardEntry {
  readonly rank: number;
  readonly msisdn: string;
  readonly points: number;
}

export interface SkipperInfo {
  readonly msisdn: string;
  readonly days: number;
  readonly since: number;
}

/**
 * Read side of points and leaderboards (CQRS). At the points site this is the Redis
 * master; elsewhere a local replica. Every method rejects (never hangs) when Redis is
 * unavailable; callers then report figures as `null`/stale.
 */
export interface ReadModelPort {
  /** Standings of many users in one round trip (the writer asks once per batch). */
  standings(msisdns: readonly string[]): Promise<ReadonlyMap<string, Standing>>;
  /** Top of a board, or the entries around a member when `around` is given. */
  board(board: BoardName, opts: { limit: number; around?: string; atMs: number }): Promise<BoardEntry[]>;
  skipper(venueId: string): Promise<SkipperInfo | null>;
  /**
   * Whether figures read now may be behind the points site (a replica whose link is down or
   * behind). Answered from state kept in the background: no round trip per request.
   */
  isStale(): boolean;
}
