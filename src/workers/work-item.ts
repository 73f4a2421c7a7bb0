import type { Channel } from '../core/checkin.js';

/** A message of a check-in in the `notifications` outbox (0 pending, 1 claimed, 2 sent, 3 uncertain). */
export interface OutboxKey {
  readonly kind: 'checkin' | 'skipper';
  readonly state: number;
}

/** A check-in with no message in the outbox (the usual case), shared by every such item. */
export const NO_MESSAGES: readonly OutboxKey[] = [];

/** `checkin_work.notify_claim`: no confirmation claimed on the work row. */
export const NO_CLAIM = 0;
/** `checkin_work.notify_claim`: the confirmation lives in the `notifications` outbox. */
export const IN_OUTBOX = -1;

/** A check-in with the events it still owes here, as the handlers see it. */
export interface WorkItem {
  readonly id: string;
  /** Bits of events still pending; handlers clear their bit here as they complete. */
  pending: number;
  /**
   * The pending mask when this batch locked the work row (to tell which bits this batch
   * completed, and whether `points.award` ran in this batch or an earlier one).
   */
  loadedPending: number;
  /**
   * The confirmation's claim on the work row when this batch locked it (migration 006):
   * NO_CLAIM, IN_OUTBOX or when it was claimed (epoch ms).
   */
  notifyClaim: number;
  /** Whether the points ledger already has entries for this check-in (under the lock). */
  inLedger: boolean;
  /** This check-in's messages in the outbox, if any (under the lock). */
  outbox: readonly OutboxKey[];
  readonly attempts: number;
  readonly committedMs: number;
  readonly msisdn: string;
  readonly venueId: string;
  /** Null when the venue is unknown at this site (then points cannot be placed). */
  readonly venueName: string | null;
  readonly city: string | null;
  readonly channel: Channel;
  readonly site: string;
  readonly atMs: number;
  /** Local day of the check-in as a day number (core/time.ts) and as `YYYY-MM-DD`. */
  readonly day: number;
  readonly dayIso: string;
  /** ISO week of that day, e.g. `2026-W48` (week totals and boards). */
  readonly isoWeek: string;
  readonly rewarded: boolean;
}

/** Outcome of one handler over a batch: each item either done or failed with a code. */
export interface HandlerFailure {
  readonly id: string;
  readonly code: string;
  readonly message: string;
}

export interface HandlerOutcome {
  readonly done: readonly string[];
  readonly failed: readonly HandlerFailure[];
}
