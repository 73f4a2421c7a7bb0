import { normaliseMsisdn } from '../../../../../src/core/msisdn.js';
import type {
  BoardKind,
  BoardOutcome,
  SkipperOutcome,
  StandingOutcome,
  UssdCheckInOutcome,
  UssdCheckInRequest,
  UssdServices,
} from '../../../../../src/gateway/ussd/ussd-services.port.js';

export interface MemVenue {
  readonly id: string;
  readonly code: string;
  readonly name: string;
  readonly city: string;
  readonly open: boolean;
}

export const BASE_POINTS = 10;

/**
 * A real, in-process implementation of the USSD services with the production semantics
 * that matter to the dialog: idempotency per (clientId, requestKey), one reward per user,
 * venue and day, points credited later (as the points site does) — `settle()` credits them.
 */
export class InMemoryUssdServices implements UssdServices {
  readonly checkIns: Array<{ msisdn: string; venueId: string; rewarded: boolean; requestKey: string | null; channel: string }> = [];
  busy = false;
  /** Whether rewarded check-ins say a confirmation SMS will state the award (points and notify here). */
  confirmsBySms = false;
  private readonly venues = new Map<string, MemVenue>();
  private readonly byKey = new Map<string, UssdCheckInOutcome>();
  private readonly rewarded = new Set<string>();
  private readonly pending: Array<{ msisdn: string; points: number }> = [];
  private readonly totals = new Map<string, number>();
  private readonly weekly = new Map<string, number>();
  private readonly cities = new Map<string, string>();
  private readonly skippers = new Map<string, { msisdn: string; days: number }>();

  constructor(venues: readonly MemVenue[] = [], private readonly countryCode = '254') {
    for (const v of venues) this.venues.set(v.code, v);
  }

  setSkipper(venueCode: string, msisdn: string, days: number): void {
    this.skippers.set(this.venues.get(venueCode)!.id, { msisdn, days });
  }

  setTotal(msisdn: string, total: number, city?: string): void {
    this.totals.set(msisdn, total);
    this.weekly.set(msisdn, total);
    if (city) this.cities.set(msisdn, city);
  }

  /** Credits points of earlier rewarded check-ins (the asynchronous points.award). */
  settle(): void {
    for (const p of this.pending.splice(0)) {
      this.totals.set(p.msisdn, (this.totals.get(p.msisdn) ?? 0) + p.points);
      this.weekly.set(p.msisdn, (this.weekly.get(p.msisdn) ?? 0) + p.points);
    }
  }

  async checkIn(req: UssdCheckInRequest): Promise<UssdCheckInOutcome> {
    if (this.busy) return { kind: 'busy' };
    const m = normaliseMsisdn(req.msisdn, this.countryCode);
    if (!m.ok) return { kind: 'bad-number' };
    const venue = this.venues.get(req.venueCode);
    if (!venue) return { kind: 'unknown-venue' };
    if (!venue.open) return { kind: 'closed', venueName: venue.name };
    const idem = req.requestKey === null ? null : `${req.clientId}|${req.requestKey}`;
    if (idem !== null) {
      const before = this.byKey.get(idem);
      if (before) return before;
    }
    const day = new Date(req.at).toISOString().slice(0, 10);
    const rewardKey = `${m.value}|${venue.id}|${day}`;
    const rewarded = !this.rewarded.has(rewardKey);
    this.rewarded.add(rewardKey);
    this.checkIns.push({ msisdn: m.value, venueId: venue.id, rewarded, requestKey: req.requestKey, channel: req.channel });
    this.cities.set(m.value, venue.city);
    if (rewarded) this.pending.push({ msisdn: m.value, points: BASE_POINTS });
    const s = this.standingOf(m.value);
    const outcome: UssdCheckInOutcome = {
      kind: 'ok',
      venueName: venue.name,
      rewarded,
      confirmedBySms: rewarded && this.confirmsBySms,
      total: s.total,
      rank: s.rank,
    };
    if (idem !== null) this.byKey.set(idem, outcome);
    return outcome;
  }

  async standing(msisdn: string): Promise<StandingOutcome> {
    if (this.busy) return { kind: 'busy' };
    const m = normaliseMsisdn(msisdn, this.countryCode);
    if (!m.ok) return { kind: 'bad-number' };
    return { kind: 'ok', ...this.standingOf(m.value) };
  }

  async board(board: BoardKind, msisdn: string, limit: number): Promise<BoardOutcome> {
    if (this.busy) return { kind: 'busy' };
    const m = normaliseMsisdn(msisdn, this.countryCode);
    if (!m.ok) return { kind: 'bad-number' };
    const city = this.cities.get(m.value) ?? null;
    if (board === 'city' && city === null) return { kind: 'no-city' };
    const source = board === 'week' ? this.weekly : this.totals;
    const rows = [...source.entries()]
      .filter(([who, pts]) => pts > 0 && (board !== 'city' || this.cities.get(who) === city))
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, limit)
      .map(([who, pts], i) => ({ rank: i + 1, msisdn: who, points: pts }));
    return { kind: 'ok', entries: rows, city: board === 'city' ? city : null };
  }

  async skipper(venueCode: string, msisdn: string): Promise<SkipperOutcome> {
    if (this.busy) return { kind: 'busy' };
    const venue = this.venues.get(venueCode);
    if (!venue) return { kind: 'unknown-venue' };
    const s = this.skippers.get(venue.id) ?? null;
    const m = normaliseMsisdn(msisdn, this.countryCode);
    return { kind: 'ok', venueName: venue.name, skipper: s, you: s !== null && m.ok && s.msisdn === m.value };
  }

  private standingOf(msisdn: string): { total: number; rank: number | null } {
    const total = this.totals.get(msisdn) ?? 0;
    if (total === 0) return { total: 0, rank: null };
    let rank = 1;
    for (const [who, pts] of this.totals) if (pts > total || (pts === total && who < msisdn)) rank++;
    return { total, rank };
  }
}

/** Venues with realistic long names: the screens must still fit. */
export const VENUES: readonly MemVenue[] = [
  { id: 'v-123', code: '123', name: 'Java House', city: 'nairobi', open: true },
  { id: '4711', code: '4711', name: 'Mama Oliech Fish Restaurant & Bar, Marcus Garvey Road, Kilimani (next to the petrol station)', city: 'nairobi', open: true },
  { id: 'v-555', code: '555', name: 'Café “Zanzibar” – Old Town Rooftop Terrace and Shisha Lounge', city: 'mombasa', open: true },
  { id: 'v-777', code: '777', name: 'Closed Corner', city: 'kisumu', open: false },
  { id: 'v-8080', code: '8080', name: 'The Grand Kilimanjaro Panorama Conference, Wedding & Events Centre - Upper Hill Towers, Wing B, 14th Floor Sky Lounge Ba', city: 'nairobi', open: true },
  { id: 'v-900', code: '900', name: 'हल्दीराम स्वीट्स एंड रेस्टोरेंट, चांदनी चौक, पुरानी दिल्ली', city: 'delhi', open: true },
];
