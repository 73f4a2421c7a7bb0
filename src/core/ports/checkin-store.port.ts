import type { CheckIn, CheckInCommand } from '../checkin.js';

export type CommitOutcome =
  /** Written now: the check-in and the work it owes are durable. */
  | { readonly kind: 'committed'; readonly checkIn: CheckIn }
  /** The same (clientId, requestKey) was committed before: this is its check-in. */
  | { readonly kind: 'replay'; readonly checkIn: CheckIn; readonly sameRequest: boolean }
  /** Not written: the database is unreachable or the writer is saturated. Safe to retry. */
  | { readonly kind: 'unavailable'; readonly reason: string; readonly retryAfterSec: number }
  /**
   * Sent, but the link failed before the outcome came back: it may have been committed. A
   * retry with the same request key is safe (it is answered as a replay if it was).
   */
  | { readonly kind: 'unknown'; readonly reason: string; readonly retryAfterSec: number };

/**
 * The promise a caller made to its client, and what the store tells it back: the client is
 * answered by `deadlineAt` (`performance.now()` clock), whatever happens. The store sends no
 * check-in whose deadline has passed, and a transaction that reaches the server after its
 * deadline rolls itself back; `inDoubt` is set when the check-in's transaction is sent, so a
 * reply at the deadline can tell "not written" from "outcome unknown".
 */
export interface CommitWatch {
  readonly deadlineAt: number;
  inDoubt: boolean;
}

/** Durable storage of check-ins (group-commit writer). Resolves only after COMMIT. */
export interface CheckInStorePort {
  /**
   * @param onWriting called once, synchronously, when the check-in's transaction is sent,
   *   with the rest of its batch in the same turn; not called when no transaction is needed
   *   (a replay known from memory, a duplicate joining one being written) or none is sent
   *   (unavailable). It lets the caller start reads that the reply needs while the commit
   *   is under way.
   */
  commit(cmd: CheckInCommand, venueCity: string, onWriting?: () => void, watch?: CommitWatch): Promise<CommitOutcome>;
  /**
   * The check-in committed earlier under (clientId, requestKey) and its request fingerprint;
   * null when there is none or the store cannot tell now. For replays that `commit` cannot
   * serve (the venue has closed since).
   */
  findByKey(clientId: string, requestKey: string): Promise<{ readonly checkIn: CheckIn; readonly requestHash: string | null } | null>;
}
