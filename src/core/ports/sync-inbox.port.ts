import type { Venue } from '../checkin.js';
import type { SyncRecord, SyncRejection } from '../replication.js';
import type { CommittedCheckIn } from './commit-feed.port.js';

export interface InboxResult {
  /** Entries applied now. */
  readonly applied: number;
  /** Entries applied before (a resent batch): nothing of them was written again. */
  readonly duplicates: number;
  /** Records refused by the store (a venue code taken by another venue here). */
  readonly rejected: readonly SyncRejection[];
  /** Check-ins new to this site, with the events they owe here, for the pipeline. */
  readonly checkIns: readonly CommittedCheckIn[];
  /** Venues whose version here changed. */
  readonly venues: readonly Venue[];
}

/**
 * The receiving side of replication: applies a peer's entries at most once each, in one
 * transaction. Deduplicated on (origin, seq) and, below that, on each record's own identity
 * (a check-in's id, a venue's version), so a record that arrives twice by any path is
 * written once.
 */
export interface SyncInboxPort {
  apply(origin: string, entries: ReadonlyArray<{ readonly seq: number; readonly records: readonly SyncRecord[] }>, nowMs: number): Promise<InboxResult>;
  /** Forgets received-entry records older than `beforeMs` (records stay idempotent). */
  prune(beforeMs: number, limit: number): Promise<number>;
}
