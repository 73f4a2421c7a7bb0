import type { SyncEntry, SyncRejection } from '../replication.js';

/** A log entry as stored: what one replicated transaction wrote, by reference. */
export interface LogEntryRef {
  readonly seq: number;
  readonly kind: 'checkin' | 'venue' | 'profile';
  /** Ids of the check-ins, venues or profiles (MSISDNs) the transaction wrote. */
  readonly refs: readonly string[];
  readonly createdMs: number;
}

export interface LogBacklog {
  readonly entries: number;
  /** Records (check-ins, venues) in those entries. */
  readonly records: number;
  /** When the oldest of them was committed; null when there is none. */
  readonly oldestMs: number | null;
}

/**
 * The sending side of replication (the transactional outbox): the log of what this site
 * wrote, in the order the store allocated it, and each peer's cursor over it. Entries are
 * appended inside the transaction that made the writes (the check-in writer's batch, a venue
 * change), so an entry exists exactly when its writes committed.
 *
 * Sequence numbers are allocated in order but may become visible out of order (two
 * transactions in flight): a reader must not assume that seeing `n` means all below `n`
 * are visible (src/sync/log-cursor.ts).
 */
export interface ReplicationLogPort {
  /** Appends an entry in a transaction of its own (venue changes do it with their write). */
  append(kind: LogEntryRef['kind'], refs: readonly string[], nowMs: number): Promise<number>;
  /** Visible entries with `seq > after`, ascending, at most `limit`. */
  readAfter(after: number, limit: number): Promise<LogEntryRef[]>;
  /** The visible entries among `seqs` (a sender re-checking the holes it saw). */
  readSeqs(seqs: readonly number[]): Promise<LogEntryRef[]>;
  /** The records the entries name, as they replicate; a record deleted since is left out. */
  resolve(entries: readonly LogEntryRef[]): Promise<SyncEntry[]>;
  /** The peer's cursor: every entry ≤ it was acknowledged (0 for a new peer). */
  cursor(peer: string): Promise<number>;
  saveCursor(peer: string, seq: number, nowMs: number): Promise<void>;
  /** What a peer with this cursor still has to receive. */
  backlog(after: number): Promise<LogBacklog>;
  /** Deletes entries every peer has acknowledged (`seq ≤ upTo`), at most `limit`. */
  prune(upTo: number, limit: number): Promise<number>;
  /** Parks the records a peer refused, with its reasons (idempotent). */
  park(peer: string, rejected: readonly SyncRejection[], nowMs: number): Promise<void>;
  deadLetters(peer: string, limit: number): Promise<Array<SyncRejection & { readonly createdMs: number }>>;
}
