import { describe, expect, it } from 'vitest';
import { CheckInService } from '../../../../src/core/checkin-service.js';
import type { CheckIn, CheckInCommand, Venue } from '../../../../src/core/checkin.js';
import type { BoardName } from '../../../../src/core/leaderboard.js';
import type { CheckInStorePort, CommitOutcome } from '../../../../src/core/ports/checkin-store.port.js';
import type { BoardEntry, ReadModelPort, SkipperInfo, Standing } from '../../../../src/core/ports/read-model.port.js';
import type { VenueDirectoryPort } from '../../../../src/core/ports/venue-directory.port.js';
import { CoreUssdServices } from '../../../../src/gateway/ussd/core-ussd-services.js';

/** In-memory adapters of the core's ports, with the writer's idempotency semantics. */
class MemStore implements CheckInStorePort {
  readonly rows: CheckInCommand[] = [];
  down = false;
  private readonly byKey = new Map<string, { checkIn: CheckIn; hash: string | null }>();
  async commit(cmd: CheckInCommand): Promise<CommitOutcome> {
    if (this.down) return { kind: 'unavailable', reason: 'mysql down', retryAfterSec: 1 };
    const key = cmd.requestKey === null ? null : `${cmd.clientId}|${cmd.requestKey}`;
    const before = key === null ? undefined : this.byKey.get(key);
    if (before) return { kind: 'replay', checkIn: before.checkIn, sameRequest: before.hash === cmd.requestHash };
    this.rows.push(cmd);
    const checkIn: CheckIn = { id: String(this.rows.length), msisdn: cmd.msisdn, venueId: cmd.venueId, site: 't', channel: cmd.channel, at: cmd.at, rewarded: this.rows.length === 1 };
    if (key !== null) this.byKey.set(key, { checkIn, hash: cmd.requestHash });
    return { kind: 'committed', checkIn };
  }
  async findByKey(clientId: string, requestKey: string): Promise<{ checkIn: CheckIn; requestHash: string | null } | null> {
    const before = this.byKey.get(`${clientId}|${requestKey}`);
    return before ? { checkIn: before.checkIn, requestHash: before.hash } : null;
  }
}

class MemReadModel implements ReadModelPort {
  down = false;
  readonly boards = new Map<string, BoardEntry[]>();
  skippers = new Map<string, SkipperInfo>();
  async standings(msisdns: readonly string[]): Promise<ReadonlyMap<string, Standing>> {
    if (this.down) throw new Error('redis down');
    const global = this.boards.get('global') ?? [];
    return new Map(msisdns.map((m) => {
      const e = global.find((x) => x.msisdn === m);
      return [m, e ? { total: e.points, rank: e.rank } : { total: 0, rank: null }];
    }));
  }
  async board(board: BoardName, opts: { limit: number }): Promise<BoardEntry[]> {
    if (this.down) throw new Error('redis down');
    return (this.boards.get(board) ?? []).slice(0, opts.limit);
  }
  async skipper(venueId: string): Promise<SkipperInfo | null> {
    if (this.down) throw new Error('redis down');
    return this.skippers.get(venueId) ?? null;
  }
  isStale(): boolean {
    return false;
  }
}

const VENUES: Venue[] = [
  { id: 'v-1', name: 'Java House', city: 'Nairobi', open: true, code: '123', version: 1 },
  { id: '4711', name: 'Digits Only', city: 'Nairobi', open: true, code: null, version: 1 },
  { id: 'v-2', name: 'Shut', city: 'Kisumu', open: false, code: '777', version: 1 },
];
const directory: VenueDirectoryPort = {
  get: (id) => VENUES.find((v) => v.id === id),
  byCode: (code) => VENUES.find((v) => v.code === code || (v.id === code && /^[0-9]+$/.test(v.id))),
};

function setup() {
  const store = new MemStore();
  const readModel = new MemReadModel();
  const cities = new Map<string, string>([['+254711000001', 'Nairobi']]);
  const busy: string[] = [];
  const services = new CoreUssdServices({
    checkIns: new CheckInService({ store, readModel, venues: directory, defaultCountryCode: '254', confirmsBySms: true }),
    readModel,
    venues: directory,
    cityOf: async (m) => cities.get(m) ?? null,
    defaultCountryCode: '254',
    onBusy: (op, reason) => busy.push(`${op}: ${reason}`),
  });
  return { store, readModel, services, busy };
}

const req = (venueCode: string, requestKey: string | null = 'k1', msisdn = '0711000001') =>
  ({ msisdn, venueCode, channel: 'ussd', clientId: 'ussd:hubtel', requestKey, at: Date.UTC(2026, 10, 28) }) as const;

describe('CoreUssdServices over the real CheckInService', () => {
  it('checks in by keypad code or digits-only id, normalising the number, idempotent per key', async () => {
    const { store, readModel, services } = setup();
    readModel.boards.set('global', [{ rank: 3, msisdn: '+254711000001', points: 40 }]);
    expect(await services.checkIn(req('123'))).toEqual({ kind: 'ok', venueName: 'Java House', rewarded: true, confirmedBySms: true, total: 40, rank: 3 });
    expect(await services.checkIn(req('123'))).toMatchObject({ kind: 'ok', rewarded: true });
    expect(store.rows).toHaveLength(1);
    expect(store.rows[0]).toMatchObject({ msisdn: '+254711000001', venueId: 'v-1', channel: 'ussd', clientId: 'ussd:hubtel', requestKey: 'k1' });
    expect(await services.checkIn(req('4711', 'k2'))).toMatchObject({ kind: 'ok', venueName: 'Digits Only', rewarded: false, confirmedBySms: false });
  });

  it('maps unknown and closed venues, bad numbers, and an unavailable store to busy', async () => {
    const { store, services, busy } = setup();
    expect(await services.checkIn(req('999'))).toEqual({ kind: 'unknown-venue' });
    expect(await services.checkIn(req('v-1'))).toEqual({ kind: 'unknown-venue' }); // ids with letters are not keypad codes
    expect(await services.checkIn(req('777'))).toEqual({ kind: 'closed', venueName: 'Shut' });
    expect(await services.checkIn(req('123', 'k', 'abc'))).toEqual({ kind: 'bad-number' });
    store.down = true;
    expect(await services.checkIn(req('123', 'k9'))).toEqual({ kind: 'busy' });
    expect(busy).toEqual(['checkin: STORE_UNAVAILABLE']);
  });

  it('a check-in with the read model down is still ok, with unknown figures', async () => {
    const { readModel, services } = setup();
    readModel.down = true;
    expect(await services.checkIn(req('123'))).toMatchObject({ kind: 'ok', total: null, rank: null });
  });

  it('standing, boards (my city from the user) and skipper; busy when the read model is down', async () => {
    const { readModel, services } = setup();
    readModel.boards.set('global', [{ rank: 1, msisdn: '+254711000001', points: 50 }]);
    readModel.boards.set('city:nairobi', [{ rank: 1, msisdn: '+254711000009', points: 70 }]);
    readModel.skippers.set('v-1', { msisdn: '+254711000001', days: 9, since: 0 });
    expect(await services.standing('0711000001')).toEqual({ kind: 'ok', total: 50, rank: 1 });
    expect(await services.board('city', '0711000001', 10)).toEqual({ kind: 'ok', entries: [{ rank: 1, msisdn: '+254711000009', points: 70 }], city: 'Nairobi' });
    expect(await services.board('city', '0711000002', 10)).toEqual({ kind: 'no-city' });
    expect(await services.board('week', '0711000002', 10)).toEqual({ kind: 'ok', entries: [], city: null });
    expect(await services.skipper('123', '+254711000001')).toEqual({ kind: 'ok', venueName: 'Java House', skipper: { msisdn: '+254711000001', days: 9 }, you: true });
    expect(await services.skipper('999', '+254711000001')).toEqual({ kind: 'unknown-venue' });
    readModel.down = true;
    expect(await services.standing('0711000001')).toEqual({ kind: 'busy' });
    expect(await services.board('global', '0711000001', 10)).toEqual({ kind: 'busy' });
    expect(await services.skipper('123', '+254711000001')).toEqual({ kind: 'busy' });
  });
});
