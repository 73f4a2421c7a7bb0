import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplicationLogPort } from '../../../src/core/ports/replication-log.port.js';
import type { CheckInRecord, VenueRecord } from '../../../src/core/replication.js';

/** What a store gives the conformance suite: its log, a way to write records, a clean-up. */
export interface LogFixture {
  readonly log: ReplicationLogPort;
  /** Writes a check-in / venue as this store keeps them (what `resolve` reads back). */
  seedCheckIn(r: CheckInRecord): Promise<void>;
  seedVenue(r: VenueRecord): Promise<void>;
  close(): Promise<void>;
}

/**
 * The conformance suite of ReplicationLogPort (src/core/ports/replication-log.port.ts): any
 * implementation runs it with its own fixture (test/integration/sync-ports-mysql.test.ts).
 * Each test uses its own peer names; seqs are compared relative to what `append` returned.
 */
export function replicationLogContract(name: string, makeLog: () => Promise<LogFixture>): void {
  describe(`ReplicationLogPort conformance: ${name}`, () => {
    let f: LogFixture;
    beforeAll(async () => {
      f = await makeLog();
    });
    afterAll(async () => {
      await f?.close();
    });

    it('appends entries with increasing seqs and reads them after a seq, in order, up to a limit', async () => {
      const a = await f.log.append('checkin', ['101', '102'], 1000);
      const b = await f.log.append('venue', ['v1'], 1001);
      const c = await f.log.append('checkin', [], 1002);
      expect(b).toBeGreaterThan(a);
      expect(c).toBeGreaterThan(b);
      expect(await f.log.readAfter(a - 1, 10)).toEqual([
        { seq: a, kind: 'checkin', refs: ['101', '102'], createdMs: 1000 },
        { seq: b, kind: 'venue', refs: ['v1'], createdMs: 1001 },
        { seq: c, kind: 'checkin', refs: [], createdMs: 1002 },
      ]);
      expect((await f.log.readAfter(a - 1, 2)).map((e) => e.seq)).toEqual([a, b]);
      expect((await f.log.readAfter(a, 10)).map((e) => e.seq)).toEqual([b, c]);
      expect(await f.log.readAfter(c, 10)).toEqual([]);
    });

    it('reads back the visible entries among given seqs (holes re-checked), ascending', async () => {
      const a = await f.log.append('checkin', ['201'], 2000);
      const b = await f.log.append('checkin', ['202'], 2001);
      expect((await f.log.readSeqs([b, a, b + 1000])).map((e) => e.seq)).toEqual([a, b]);
      expect(await f.log.readSeqs([])).toEqual([]);
    });

    it('resolves entries to the records they name, leaving out what no longer exists', async () => {
      const ci: CheckInRecord = { type: 'checkin', id: '7340032000001', msisdn: '+254700000301', venueId: 'rv1', channel: 'ussd', site: 'here', at: 1_765_000_000_123, day: '2026-12-06' };
      const ve: VenueRecord = { type: 'venue', id: 'rv1', name: 'Duka', city: 'Nairobi', open: true, code: '771', version: 3, site: 'there' };
      await f.seedCheckIn(ci);
      await f.seedVenue(ve);
      const a = await f.log.append('checkin', [ci.id, '7340032999999'], 3000);
      const b = await f.log.append('venue', ['rv1', 'rv-gone'], 3001);
      const entries = await f.log.resolve(await f.log.readSeqs([a, b]));
      expect(entries).toEqual([
        { seq: a, records: [ci] },
        { seq: b, records: [ve] },
      ]);
    });

    it("keeps each peer's cursor, 0 for a new peer, never moving back", async () => {
      expect(await f.log.cursor('cur-a')).toBe(0);
      await f.log.saveCursor('cur-a', 40, 1);
      await f.log.saveCursor('cur-b', 7, 1);
      await f.log.saveCursor('cur-a', 25, 2); // a slower, older save lands late
      expect(await f.log.cursor('cur-a')).toBe(40);
      expect(await f.log.cursor('cur-b')).toBe(7);
      await f.log.saveCursor('cur-a', 41, 3);
      expect(await f.log.cursor('cur-a')).toBe(41);
    });

    it('reports the backlog after a cursor: entries, records, oldest commit', async () => {
      const last = await f.log.append('checkin', ['401'], 4000);
      expect(await f.log.backlog(last)).toEqual({ entries: 0, records: 0, oldestMs: null });
      const a = await f.log.append('checkin', ['402', '403', '404'], 4001);
      await f.log.append('venue', ['v4'], 4002);
      expect(await f.log.backlog(last)).toEqual({ entries: 2, records: 4, oldestMs: 4001 });
      expect(await f.log.backlog(a)).toEqual({ entries: 1, records: 1, oldestMs: 4002 });
    });

    it('prunes acknowledged entries up to a seq, at most a limit at a time', async () => {
      const a = await f.log.append('checkin', ['501'], 5000);
      const b = await f.log.append('checkin', ['502'], 5001);
      const c = await f.log.append('checkin', ['503'], 5002);
      const before = (await f.log.readAfter(0, 10_000)).filter((e) => e.seq <= b).length;
      expect(before).toBeGreaterThanOrEqual(2);
      expect(await f.log.prune(b, 1)).toBe(1);
      expect(await f.log.prune(b, 10_000)).toBe(before - 1);
      expect(await f.log.prune(b, 10_000)).toBe(0);
      expect((await f.log.readAfter(0, 10)).map((e) => e.seq)).toEqual([c]);
      expect(await f.log.readSeqs([a, b])).toEqual([]);
    });

    it('parks refused records once per (peer, seq, record) and lists them per peer, newest first', async () => {
      const r1 = { seq: 9, type: 'checkin', id: '123', reason: 'unknown channel' };
      const r2 = { seq: 10, type: 'venue', id: 'v9', reason: 'code 1 belongs to another venue' };
      await f.log.park('dl-a', [r1], 6000);
      await f.log.park('dl-a', [r1, r2], 6001); // a resent reply
      await f.log.park('dl-b', [r2], 6002);
      await f.log.park('dl-b', [], 6003);
      expect(await f.log.deadLetters('dl-a', 10)).toEqual([
        { ...r2, createdMs: 6001 },
        { ...r1, createdMs: 6000 },
      ]);
      expect(await f.log.deadLetters('dl-a', 1)).toEqual([{ ...r2, createdMs: 6001 }]);
      expect(await f.log.deadLetters('dl-b', 10)).toEqual([{ ...r2, createdMs: 6002 }]);
      expect(await f.log.deadLetters('dl-none', 10)).toEqual([]);
    });
  });
}
