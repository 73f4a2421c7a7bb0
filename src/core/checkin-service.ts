import {
  checkVenue,
  parseCheckInInput,
  type CheckIn,
  type CheckInCommand,
  type CheckInInput,
  type CheckInRejection,
  type Venue,
} from './checkin.js';
import type { CheckInStorePort, CommitWatch } from './ports/checkin-store.port.js';
import type { ReadModelPort, Standing } from './ports/read-model.port.js';
import type { VenueDirectoryPort } from './ports/venue-directory.port.js';
import { err, ok, type Result } from './result.js';

export interface CheckInReply {
  readonly checkIn: CheckIn;
  readonly venue: Venue;
  readonly points: CheckInPoints;
  /** Human text, e.g. why a check-in was not rewarded. */
  readonly message: string;
  /** True when this reply repeats an earlier one for the same idempotency key. */
  readonly replayed: boolean;
}

/**
 * What the reply knows of the points, and says no more. The award of a rewarded check-in
 * is decided after the commit by `points.award` at the site holding `points` (first visit,
 * streak, skipper, daily cap over the ledger), so the reply cannot know it: it says the
 * check-in was rewarded (`pending`) and, where this site sends the confirmation SMS, that
 * the SMS will state the award and the new total.
 */
export interface CheckInPoints {
  /** `pending`: rewarded, the award is not decided yet (`awarded` null); `none`: not rewarded, nothing awarded. */
  readonly kind: 'pending' | 'none';
  /** 0 when `none`; null while `pending`. */
  readonly awarded: number | null;
  /** Whether a confirmation SMS will state the exact award and the new total. */
  readonly confirmedBySms: boolean;
  /**
   * Points credited so far, from the read model; null when it is unavailable (then `stale`
   * is true). Read while the check-in commits, so its own award is not in it (a replay
   * reads it again, and may include it).
   */
  readonly total: number | null;
  readonly rank: number | null;
  readonly stale: boolean;
}

export type CheckInFailure =
  | CheckInRejection
  | { readonly code: 'IDEMPOTENCY_KEY_REUSED'; readonly message: string }
  | { readonly code: 'STORE_UNAVAILABLE'; readonly message: string; readonly retryAfterSec: number }
  /** Sent, but whether it committed is not known (a retry with the same request key is safe). */
  | { readonly code: 'CHECKIN_OUTCOME_UNKNOWN'; readonly message: string; readonly retryAfterSec: number };

export interface CheckInRequest extends CheckInInput {
  readonly clientId: string;
  readonly requestKey: string | null;
  readonly requestHash: string | null;
  readonly at: number;
  /** The caller's deadline (see CommitWatch): nothing is written after it. */
  readonly watch?: CommitWatch;
  /** The request's id, handed to the writer for the events' log lines. */
  readonly requestId?: string;
}

export interface CheckInServiceDeps {
  readonly store: CheckInStorePort;
  readonly readModel: ReadModelPort;
  readonly venues: VenueDirectoryPort;
  readonly defaultCountryCode: string;
  /**
   * Whether the confirmation SMS of a check-in states its award and the new total: points
   * are computed at this site and it sends confirmations by SMS.
   */
  readonly confirmsBySms: boolean;
}

const KEY_REUSED = {
  code: 'IDEMPOTENCY_KEY_REUSED',
  message: 'this Idempotency-Key was used before with a different request',
} as const;

/**
 * The check-in use case shared by every channel (JSON API, USSD, SMS): validate, commit
 * durably (reading the standing while the commit is under way); the reply is built only
 * after the commit.
 */
export class CheckInService {
  constructor(private readonly deps: CheckInServiceDeps) {}

  async checkIn(req: CheckInRequest): Promise<Result<CheckInReply, CheckInFailure>> {
    const parsed = parseCheckInInput(req, this.deps.defaultCountryCode);
    if (!parsed.ok) return parsed;
    const venue = checkVenue(this.deps.venues.get(parsed.value.venueId), parsed.value.venueId);
    if (!venue.ok) return req.requestKey === null ? venue : ((await this.earlierReply(req, req.requestKey)) ?? venue);
    const cmd: CheckInCommand = {
      msisdn: parsed.value.msisdn,
      venueId: venue.value.id,
      channel: parsed.value.channel,
      clientId: req.clientId,
      requestKey: req.requestKey,
      requestHash: req.requestHash,
      at: req.at,
      requestId: req.requestId,
    };
    // The standing is read while the commit is under way: the writer announces a batch's
    // check-ins in one turn, so the read model sends their reads as one coalesced call and
    // its answer is in before the fsync is (the points of this check-in are not in the read
    // model either way: the pool adds them later). A replay reads after its answer.
    let standing: Promise<Standing | null> | undefined;
    const outcome = await this.deps.store.commit(
      cmd,
      venue.value.city,
      () => {
        standing = this.standing(cmd.msisdn);
      },
      req.watch,
    );
    if (outcome.kind === 'unavailable') {
      return err({ code: 'STORE_UNAVAILABLE', message: outcome.reason, retryAfterSec: outcome.retryAfterSec });
    }
    if (outcome.kind === 'unknown') {
      return err({ code: 'CHECKIN_OUTCOME_UNKNOWN', message: outcome.reason, retryAfterSec: outcome.retryAfterSec });
    }
    if (outcome.kind === 'replay' && !outcome.sameRequest) return err(KEY_REUSED);
    const figures = await (standing ?? this.standing(outcome.checkIn.msisdn));
    return ok(this.reply(outcome.checkIn, venue.value, figures, outcome.kind === 'replay'));
  }

  /**
   * A retry of a keyed check-in made before its venue closed gets that check-in (the first
   * result), not the rejection a new check-in would get. Null when the key is new.
   */
  private async earlierReply(req: CheckInRequest, requestKey: string): Promise<Result<CheckInReply, CheckInFailure> | null> {
    const earlier = await this.deps.store.findByKey(req.clientId, requestKey);
    if (earlier === null) return null;
    if (earlier.requestHash !== req.requestHash) return err(KEY_REUSED);
    const venue = this.deps.venues.get(earlier.checkIn.venueId);
    if (!venue) return null;
    return ok(this.reply(earlier.checkIn, venue, await this.standing(earlier.checkIn.msisdn), true));
  }

  /** The read model is optional for a check-in: without it, figures are null and stale. */
  async standing(msisdn: string): Promise<Standing | null> {
    try {
      return (await this.deps.readModel.standings([msisdn])).get(msisdn) ?? { total: 0, rank: null };
    } catch {
      return null;
    }
  }

  private reply(checkIn: CheckIn, venue: Venue, standing: Standing | null, replayed: boolean): CheckInReply {
    const confirmedBySms = checkIn.rewarded && this.deps.confirmsBySms;
    return {
      checkIn,
      venue,
      points: {
        kind: checkIn.rewarded ? 'pending' : 'none',
        awarded: checkIn.rewarded ? null : 0,
        confirmedBySms,
        total: standing ? standing.total : null,
        rank: standing ? standing.rank : null,
        stale: standing === null || this.deps.readModel.isStale(),
      },
      message: checkIn.rewarded
        ? confirmedBySms
          ? `Checked in at ${venue.name}: rewarded. An SMS will tell you the points and your new total.`
          : `Checked in at ${venue.name}: rewarded. Your points are added shortly.`
        : `Checked in at ${venue.name}. Already rewarded here today: no points this time.`,
      replayed,
    };
  }
}
