import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REDIS, uniqueName } from '../../helpers/env.js';
import { putVenue, type TestGateway } from '../../helpers/gateway-process.js';
import { eventually, startSites } from '../../helpers/sync-sites.js';

/**
 * Points are computed at one site; the subscriber who checked in at another site is told the
 * award that site's ledger actually gave: the points site publishes it to the read model,
 * and the origin reads it from its replica (here the same Redis keys, as a replica holds them).
 */
describe('awards across sites', () => {
  let sites: TestGateway[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'hopgate-awards-'));
  const readModel = `${uniqueName('hgrm')}:`;
  const sent = (name: string) => {
    try {
      return readFileSync(join(dir, `${name}.jsonl`), 'utf8');
    } catch {
      return '';
    }
  };

  beforeAll(async () => {
    const pool = { enabled: true, backoffBaseMs: 100, backoffMaxMs: 400, recoveryIntervalMs: 200, recoveryGraceMs: 0 };
    sites = await startSites([
      {
        siteId: 'wa',
        siteNumber: 51,
        config: { pool, notify: { sink: { type: 'file', path: join(dir, 'wa.jsonl') } }, redis: { readModel: { ...REDIS, keyPrefix: readModel } } },
      },
      {
        siteId: 'wb',
        siteNumber: 52,
        capabilities: ['checkin', 'ussd', 'sms', 'notify'],
        config: { pool, notify: { sink: { type: 'file', path: join(dir, 'wb.jsonl') } }, redis: { readModel: { ...REDIS, keyPrefix: readModel } } },
      },
    ]);
  });
  afterAll(async () => {
    await Promise.all(sites.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  test("a check-in at a site without points is confirmed with the points site's award and total", async () => {
    const [a, b] = sites as [TestGateway, TestGateway];
    expect((await putVenue(a, 'wv', { name: 'Choma Zone', city: 'Nakuru' })).status).toBe(201);
    expect(await eventually(async () => (await b.request('GET', '/v1/venues/wv')).status === 200, 15_000)).toBe(true);
    const msisdn = '+254712880001';
    expect((await b.request('POST', '/v1/checkins', { msisdn, venueId: 'wv' })).status).toBe(201);
    // First visit: base 10 + first-visit bonus 20, as the points site's ledger gives it.
    expect(await eventually(async () => sent('wb').includes('Choma Zone: +30 points. Total: 30.'), 30_000)).toBe(true);
    expect(sent('wb')).toContain('+254712880001');
    // The points site sends no confirmation for a check-in made elsewhere (it may tell the
    // subscriber they became the venue's skipper: skipper.evaluate runs there).
    const confirmationsAtA = sent('wa').split('\n').filter((l) => l.includes(msisdn) && l.includes(':checkin"'));
    expect(confirmationsAtA).toEqual([]);
    // The same day again at the same venue, at the points site this time: recorded, not rewarded.
    expect((await a.request('POST', '/v1/checkins', { msisdn, venueId: 'wv' })).status).toBe(201);
    expect(await eventually(async () => sent('wa').includes('already rewarded there today'), 30_000)).toBe(true);
  });
});
