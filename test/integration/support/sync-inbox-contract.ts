import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SyncInboxPort } from '../../../src/core/ports/sync-inbox.port.js';
import type { CheckInRecord, VenueRecord } from '../../../src/core/replication.js';

/** What a store gives the conformance suite: its inbox and what it now holds. */
export interface InboxFixture {
  readonly inbox: SyncInboxPort;
  /** The work the inbox owes for each new check-in at this site (its `owedMask`). */
  readonly owedMask: number;
  /** How many times the store holds each of these check-ins (0 when absent). */
  checkInCounts(ids: readonly string[]): Promise<number[]>;
  /** The work rows owed for a check-in (its owed masks; [] when none). */
  owedWork(id: string): Promise<number[]>;
  venue(id: string): Promise<{ name: string; code: string | null; version: number; site: string } | null>;
  close(): Promise<void>;
}

let nextId = 5_000_000_000_000n;
function checkIn(site: string, extra: Partial<CheckInRecord> = {}): CheckInRecord {
  nextId += 1n;
  return { type: 'checkin', id: nextId.toString(), msisdn: '+254700000901', venueId: 'iv1', channel: 'ussd', site, at: 1_765_000_000_000, day: '2026-12-06', ...extra };
}
const venue = (extra: Partial<VenueRecord>): VenueRecord => ({ type: 'venue', id: 'iv1', name: 'Duka', city: 'Nairobi', open: true, code: null, version: 1, site: 'aa', ...extra });

/**
 * The conformance suite of SyncInboxPort (src/core/ports/sync-inbox.port.ts): entries apply
 * once per (origin, seq); duplicates are counted, not written; a record that arrives again
 * under another seq is still written once; venues resolve by (version, site) whatever the
 * order; a new check-in owes its work here, an old one does not.
 */
export function syncInboxContract(name: string, makeInbox: () => Promise<InboxFixture>): void {
  describe(`SyncInboxPort conformance: ${name}`, () => {
    let f: InboxFixture;
    beforeAll(async () => {
      f = await makeInbox();
    });
    afterAll(async () => {
      await f?.close();
    });

    it('applies an entry once; sent again it is counted as a duplicate and nothing is written', async () => {
      const [c1, c2] = [checkIn('aa'), checkIn('aa')];
      const first = await f.inbox.apply('aa', [{ seq: 1, records: [c1, c2] }], 1000);
      expect(first).toMatchObject({ applied: 1, duplicates: 0, rejected: [] });
      expect(first.checkIns.map((c) => c.id).sort()).toEqual([c1.id, c2.id].sort());
      expect(first.checkIns.every((c) => c.owed === f.owedMask)).toBe(true);
      const again = await f.inbox.apply('aa', [{ seq: 1, records: [c1, c2] }], 1001);
      expect(again).toMatchObject({ applied: 0, duplicates: 1, rejected: [], checkIns: [], venues: [] });
      expect(await f.checkInCounts([c1.id, c2.id])).toEqual([1, 1]);
      expect(await f.owedWork(c1.id)).toEqual(f.owedMask === 0 ? [] : [f.owedMask]);
    });

    it('counts fresh and duplicate entries of one batch apart; the same seq from another origin is new', async () => {
      const [c3, c4] = [checkIn('aa'), checkIn('bb')];
      const r = await f.inbox.apply('aa', [{ seq: 1, records: [] }, { seq: 2, records: [c3] }], 2000);
      expect(r).toMatchObject({ applied: 1, duplicates: 1 });
      expect(r.checkIns.map((c) => c.id)).toEqual([c3.id]);
      const other = await f.inbox.apply('bb', [{ seq: 1, records: [c4] }], 2001);
      expect(other).toMatchObject({ applied: 1, duplicates: 0 });
      expect(other.checkIns.map((c) => c.id)).toEqual([c4.id]);
    });

    it('writes a check-in once when it arrives again under another seq, and owes no work for it again', async () => {
      const c5 = checkIn('aa');
      expect((await f.inbox.apply('aa', [{ seq: 3, records: [c5] }], 3000)).checkIns).toHaveLength(1);
      const resent = await f.inbox.apply('aa', [{ seq: 4, records: [c5] }], 3001);
      expect(resent).toMatchObject({ applied: 1, duplicates: 0, checkIns: [] });
      expect(await f.checkInCounts([c5.id])).toEqual([1]);
      expect((await f.owedWork(c5.id)).length).toBe(f.owedMask === 0 ? 0 : 1);
    });

    it('resolves venues by (version, site) whatever the order of arrival', async () => {
      const v2bb = venue({ version: 2, site: 'bb', name: 'Two at bb' });
      expect((await f.inbox.apply('bb', [{ seq: 10, records: [v2bb] }], 4000)).venues).toMatchObject([{ id: 'iv1', name: 'Two at bb', version: 2 }]);
      // Older version: ignored.
      expect((await f.inbox.apply('aa', [{ seq: 10, records: [venue({ version: 1, name: 'One' })] }], 4001)).venues).toEqual([]);
      // Same version from a lower site id: ignored; from a higher one: wins.
      expect((await f.inbox.apply('aa', [{ seq: 11, records: [venue({ version: 2, site: 'aa', name: 'Two at aa' })] }], 4002)).venues).toEqual([]);
      expect(await f.venue('iv1')).toMatchObject({ name: 'Two at bb', version: 2, site: 'bb' });
      expect((await f.inbox.apply('cc', [{ seq: 1, records: [venue({ version: 2, site: 'cc', name: 'Two at cc' })] }], 4003)).venues).toHaveLength(1);
      expect(await f.venue('iv1')).toMatchObject({ name: 'Two at cc', version: 2, site: 'cc' });
      // The same record again changes nothing.
      expect((await f.inbox.apply('cc', [{ seq: 2, records: [venue({ version: 2, site: 'cc', name: 'Two at cc' })] }], 4004)).venues).toEqual([]);
    });

    it("refuses a new venue whose code another venue holds here, with a reason, leaving that venue alone, while the batch's other records apply", async () => {
      await f.inbox.apply('aa', [{ seq: 20, records: [venue({ id: 'iv2', code: '5555', name: 'Holder' })] }], 5000);
      const c6 = checkIn('aa');
      // Same (version, site) and a newer one: neither may touch iv2 nor be dropped silently.
      for (const [seq, v] of [
        [21, venue({ id: 'iv3', code: '5555', name: 'Claimer' })],
        [22, venue({ id: 'iv4', code: '5555', name: 'Newer claimer', version: 5, site: 'zz' })],
      ] as const) {
        const r = await f.inbox.apply('aa', [{ seq, records: seq === 21 ? [v, c6] : [v] }], 5001);
        expect(r.applied).toBe(1);
        expect(r.rejected).toEqual([{ seq, type: 'venue', id: v.id, reason: expect.stringContaining('5555') }]);
        expect(r.venues).toEqual([]);
        expect(await f.venue(v.id)).toBeNull();
      }
      expect(await f.checkInCounts([c6.id])).toEqual([1]);
      expect(await f.venue('iv2')).toEqual({ name: 'Holder', code: '5555', version: 1, site: 'aa' });
    });

    it('prunes old received entries; a check-in resent after that is still written once', async () => {
      const c7 = checkIn('dd');
      await f.inbox.apply('dd', [{ seq: 1, records: [c7] }], 6000);
      expect(await f.inbox.prune(6001, 10_000)).toBeGreaterThanOrEqual(1);
      const resent = await f.inbox.apply('dd', [{ seq: 1, records: [c7] }], 7000);
      expect(resent).toMatchObject({ applied: 1, duplicates: 0, checkIns: [] });
      expect(await f.checkInCounts([c7.id])).toEqual([1]);
      expect(await f.inbox.apply('dd', [], 7001)).toMatchObject({ applied: 0, duplicates: 0 });
    });
  });
}
