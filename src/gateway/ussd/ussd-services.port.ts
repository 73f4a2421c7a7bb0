import type { CommitWatch } from '../../core/ports/checkin-store.port.js';

/**
 * What the USSD dialog and the SMS commands need from the core, and nothing more. The
 * real implementation (`core-ussd-services.ts`) calls the shared check-in use case and
 * the read model; tests use an in-memory implementation with the same behaviour.
 *
 * Every method resolves (never rejects) with an outcome; `busy` means a dependency is
 * down or too slow, and the dialog answers with a polite END screen.
 */

export type BoardKind = 'global' | 'city' | 'week';

export interface UssdCheckInRequest {
  /** As the vendor sent it; the service normalises it. */
  readonly msisdn: string;
  /** What the subscriber typed or dialled as the venue code. */
  readonly venueCode: string;
  readonly channel: 'ussd' | 'sms';
  /** Idempotency scope, e.g. `ussd:africastalking`. */
  readonly clientId: string;
  /** Unique per session and hop: a resent hop repeats it and never checks in twice. */
  readonly requestKey: string | null;
  readonly at: number;
  /** The request's deadline: nothing is written after it (see CommitWatch). */
  readonly watch?: CommitWatch;
  /** The HTTP request's id (log lines of the check-in's events). */
  readonly requestId?: string;
}

export type UssdCheckInOutcome =
  | {
      readonly kind: 'ok';
      readonly venueName: string;
      readonly rewarded: boolean;
      /**
       * A rewarded check-in's award is decided after the commit: true when a confirmation
       * SMS will state it and the new total.
       */
      readonly confirmedBySms: boolean;
      /** Points credited so far (without a pending award); null when the read model is unavailable. */
      readonly total: number | null;
      readonly rank: number | null;
    }
  | { readonly kind: 'unknown-venue' }
  | { readonly kind: 'closed'; readonly venueName: string }
  | { readonly kind: 'bad-number' }
  | { readonly kind: 'busy' }
  /** Sent but not confirmed (the link to the store failed): it may have been recorded. */
  | { readonly kind: 'unconfirmed' };

export type StandingOutcome =
  | { readonly kind: 'ok'; readonly total: number; readonly rank: number | null }
  | { readonly kind: 'bad-number' }
  | { readonly kind: 'busy' };

export interface BoardLine {
  readonly rank: number;
  readonly msisdn: string;
  readonly points: number;
}

export type BoardOutcome =
  | { readonly kind: 'ok'; readonly entries: readonly BoardLine[]; readonly city: string | null }
  | { readonly kind: 'no-city' }
  | { readonly kind: 'bad-number' }
  | { readonly kind: 'busy' };

export type SkipperOutcome =
  | {
      readonly kind: 'ok';
      readonly venueName: string;
      readonly skipper: { readonly msisdn: string; readonly days: number } | null;
      /** Whether the asking subscriber is the skipper. */
      readonly you: boolean;
    }
  | { readonly kind: 'unknown-venue' }
  | { readonly kind: 'busy' };

export interface UssdServices {
  checkIn(req: UssdCheckInRequest): Promise<UssdCheckInOutcome>;
  standing(msisdn: string): Promise<StandingOutcome>;
  /** Top `limit` entries of a board; `city` is the asking subscriber's city. */
  board(board: BoardKind, msisdn: string, limit: number): Promise<BoardOutcome>;
  skipper(venueCode: string, msisdn: string): Promise<SkipperOutcome>;
}
