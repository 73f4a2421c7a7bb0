import type { CheckIn, CheckInCommand } from '../checkin.js';

export type CommitOutcome =
  /** Written now: the check-in and the work it owes are durable. */
  | { readonly kind: 'committed'; readonly checkIn: CheckIn }
  /** The same (clientId, requestKey) was committed before: this is its check-in. */
  | { readonly kind: 'replay'; readonly checkIn: CheckIn; readonly sameRequest: boolean }
  /** Not written: the database is unreachable or the writer is saturated. Safe to retry. */
  | { readonly kind: 'unavailable'; readonly reason: string; readonly retryAfterSec: number };

/** Durable storage of check-ins (group-commit writer). Resolves only after COMMIT. */
export interface CheckInStorePort {
  commit(cmd: CheckInCommand, venueCity: string): Promise<CommitOutcome>;
}
