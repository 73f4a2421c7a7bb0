import { hash } from 'node:crypto';
import type { CheckInService } from '../../core/checkin-service.js';
import type { BoardName } from '../../core/leaderboard.js';
import { normaliseMsisdn } from '../../core/msisdn.js';
import type { ReadModelPort } from '../../core/ports/read-model.port.js';
import type { VenueDirectoryPort } from '../../core/ports/venue-directory.port.js';
import type {
  BoardKind,
  BoardOutcome,
  SkipperOutcome,
  StandingOutcome,
  UssdCheckInOutcome,
  UssdCheckInRequest,
  UssdServices,
} from './ussd-services.port.js';

export interface CoreUssdServicesDeps {
  readonly checkIns: Pick<CheckInService, 'checkIn' | 'standing'>;
  readonly readModel: ReadModelPort;
  readonly venues: VenueDirectoryPort;
  /** The subscriber's city (for "my city"), or null when unknown. May reject: then `busy`. */
  readonly cityOf: (msisdn: string) => Promise<string | null>;
  readonly defaultCountryCode: string;
  /** Called when a dependency failed and the subscriber was told "busy". */
  readonly onBusy?: (op: 'checkin' | 'standing' | 'board' | 'skipper', reason: string) => void;
}

/**
 * The USSD/SMS services over the shared core: the same check-in use case and durable
 * writer as the JSON API, the read model for figures. Venue codes resolve through the
 * in-memory venue directory (its keypad code, or its id when all digits).
 */
export class CoreUssdServices implements UssdServices {
  constructor(private readonly deps: CoreUssdServicesDeps) {}

  async checkIn(req: UssdCheckInRequest): Promise<UssdCheckInOutcome> {
    const msisdn = normaliseMsisdn(req.msisdn, this.deps.defaultCountryCode);
    if (!msisdn.ok) return { kind: 'bad-number' };
    const venue = this.deps.venues.byCode(req.venueCode);
    if (venue === undefined) return { kind: 'unknown-venue' };
    const result = await this.deps.checkIns.checkIn({
      msisdn: msisdn.value,
      venueId: venue.id,
      channel: req.channel,
      clientId: req.clientId,
      requestKey: req.requestKey,
      requestHash: req.requestKey === null ? null : fingerprint(msisdn.value, venue.id),
      at: req.at,
      watch: req.watch,
      requestId: req.requestId,
    });
    if (!result.ok) {
      const f = result.error;
      switch (f.code) {
        case 'VENUE_NOT_FOUND':
          return { kind: 'unknown-venue' };
        case 'VENUE_CLOSED':
          return { kind: 'closed', venueName: venue.name };
        case 'VALIDATION_FAILED':
          return f.field === 'msisdn' ? { kind: 'bad-number' } : { kind: 'unknown-venue' };
        case 'CHECKIN_OUTCOME_UNKNOWN':
          this.deps.onBusy?.('checkin', f.code);
          return { kind: 'unconfirmed' };
        case 'STORE_UNAVAILABLE':
        case 'IDEMPOTENCY_KEY_REUSED':
          this.deps.onBusy?.('checkin', f.code);
          return { kind: 'busy' };
      }
    }
    const r = result.value;
    return {
      kind: 'ok',
      venueName: r.venue.name,
      rewarded: r.checkIn.rewarded,
      confirmedBySms: r.points.confirmedBySms,
      total: r.points.total,
      rank: r.points.rank,
    };
  }

  async standing(raw: string): Promise<StandingOutcome> {
    const msisdn = normaliseMsisdn(raw, this.deps.defaultCountryCode);
    if (!msisdn.ok) return { kind: 'bad-number' };
    const s = await this.deps.checkIns.standing(msisdn.value);
    if (s === null) {
      this.deps.onBusy?.('standing', 'read model unavailable');
      return { kind: 'busy' };
    }
    return { kind: 'ok', total: s.total, rank: s.rank };
  }

  async board(kind: BoardKind, raw: string, limit: number): Promise<BoardOutcome> {
    const msisdn = normaliseMsisdn(raw, this.deps.defaultCountryCode);
    if (!msisdn.ok) return { kind: 'bad-number' };
    try {
      let name: BoardName = kind === 'city' ? 'global' : kind;
      let city: string | null = null;
      if (kind === 'city') {
        city = await this.deps.cityOf(msisdn.value);
        if (city === null || city.length === 0) return { kind: 'no-city' };
        name = `city:${city.toLowerCase()}`;
      }
      const entries = await this.deps.readModel.board(name, { limit, atMs: Date.now() });
      return { kind: 'ok', entries, city };
    } catch (e) {
      this.deps.onBusy?.('board', (e as Error).message);
      return { kind: 'busy' };
    }
  }

  async skipper(venueCode: string, raw: string): Promise<SkipperOutcome> {
    const venue = this.deps.venues.byCode(venueCode);
    if (venue === undefined) return { kind: 'unknown-venue' };
    try {
      const s = await this.deps.readModel.skipper(venue.id);
      const me = normaliseMsisdn(raw, this.deps.defaultCountryCode);
      return {
        kind: 'ok',
        venueName: venue.name,
        skipper: s === null ? null : { msisdn: s.msisdn, days: s.days },
        you: s !== null && me.ok && s.msisdn === me.value,
      };
    } catch (e) {
      this.deps.onBusy?.('skipper', (e as Error).message);
      return { kind: 'busy' };
    }
  }
}

/** What a USSD/SMS check-in asks for, to tell a replay from a different request. */
function fingerprint(msisdn: string, venueId: string): string {
  // One-shot hash: no Hash object per check-in.
  return hash('sha256', `${msisdn}\u0000${venueId}`, 'hex').slice(0, 32);
}
