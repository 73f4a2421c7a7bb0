import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { putVenue, type TestGateway } from '../../helpers/gateway-process.js';
import { checkinDigest, eventually, metricValue, startSites } from '../../helpers/sync-sites.js';

/**
 * Two sites replicating both ways (real processes, real MariaDB): what one site writes —
 * venues, check-ins — every peer holds within seconds, with its origin id, site, channel and
 * time, exactly once; the operators' view shows it.
 */
describe('two sites replicate', () => {
  let sites: TestGateway[] = [];
  let a: TestGateway;
  let b: TestGateway;

  beforeAll(async () => {
    sites = await startSites([
      { siteId: 'aa', siteNumber: 11 },
      { siteId: 'bb', siteNumber: 12, capabilities: ['checkin', 'ussd', 'sms', 'notify'] },
    ]);
    [a, b] = sites as [TestGateway, TestGateway];
  });
  afterAll(async () => {
    await Promise.all(sites.map((s) => s.stop()));
  });

  test('a venue made at one site is known at the other; the later version wins at both', async () => {
    expect((await putVenue(a, 'v1', { name: 'Mama Oliech', city: 'Nairobi', code: '4321' })).status).toBe(201);
    expect(await eventually(async () => (await b.request('GET', '/v1/venues/v1')).json?.name === 'Mama Oliech', 15_000)).toBe(true);
    // Edited at b (version 2 there): a takes it.
    expect((await putVenue(b, 'v1', { name: 'Mama Oliech II', city: 'Nairobi', code: '4321' })).status).toBe(200);
    expect(await eventually(async () => (await a.request('GET', '/v1/venues/v1')).json?.name === 'Mama Oliech II', 15_000)).toBe(true);
    const [va, vb] = await Promise.all([a.request('GET', '/v1/venues/v1'), b.request('GET', '/v1/venues/v1')]);
    expect(va.json.version).toBe(2);
    expect(vb.json).toMatchObject({ name: 'Mama Oliech II', version: 2 });
  });

  test('check-ins at both sites reach the other with their origin id, site, channel and time', async () => {
    await eventually(async () => (await b.request('GET', '/v1/venues/v1')).status === 200, 15_000);
    const made = await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => a.request('POST', '/v1/checkins', { msisdn: `07120000${String(i).padStart(2, '0')}`, venueId: 'v1' })),
      ...Array.from({ length: 20 }, (_, i) => b.request('POST', '/v1/checkins', { msisdn: `07130000${String(i).padStart(2, '0')}`, venueId: 'v1', channel: 'partner' })),
    ]);
    expect(made.map((r) => r.status)).toEqual(made.map(() => 201));
    const converged = await eventually(async () => {
      const [da, db] = await Promise.all([checkinDigest(a), checkinDigest(b)]);
      return da.count === 40 && db.count === 40;
    }, 20_000);
    expect(converged).toBe(true);
    expect(await checkinDigest(a)).toEqual(await checkinDigest(b));
    const fromB = made[25]!.json.checkin;
    const there = await a.request('GET', `/v1/checkins/${fromB.id}`);
    expect(there.status).toBe(200);
    expect(there.json).toMatchObject({ id: fromB.id, site: 'bb', channel: 'partner', at: fromB.at, msisdn: fromB.msisdn, venueId: 'v1' });
    expect((await a.request('GET', '/v1/checkins/1234')).json.error.code).toBe('CHECKIN_NOT_FOUND');
    expect((await a.request('GET', '/v1/checkins/x1')).json.error.code).toBe('VALIDATION_FAILED');
  });

  test('GET /admin/sync and /metrics show each peer caught up', async () => {
    expect(
      await eventually(async () => {
        const s = (await a.request('GET', '/admin/sync', undefined, { 'x-api-key': a.adminKey })).json;
        return s.leader === true && s.peers[0].peer === 'bb' && s.peers[0].backlogRecords === 0 && s.peers[0].sentRecords >= 20;
      }, 10_000),
    ).toBe(true);
    const s = (await a.request('GET', '/admin/sync', undefined, { 'x-api-key': a.adminKey })).json;
    expect(s.peers[0]).toMatchObject({ breaker: 'closed', lagSeconds: 0, lastError: null });
    expect((await a.request('GET', '/admin/sync')).status).toBe(403);
    // /metrics reads the sender's status as of the last second.
    expect(await eventually(async () => metricValue((await b.request('GET', '/metrics')).text, 'hopgate_sync_lag_seconds', { peer: 'aa' }) === 0, 5000)).toBe(true);
    const metrics = (await b.request('GET', '/metrics')).text;
    expect(metricValue(metrics, 'hopgate_sync_breaker_open', { peer: 'aa' })).toBe(0);
    expect(metricValue(metrics, 'hopgate_sync_received_entries_total', { origin: 'aa', outcome: 'applied' })).toBeGreaterThan(0);
    expect(metricValue(metrics, 'hopgate_sync_apply_lag_seconds_count', { origin: 'aa' })).toBe(20);
  });
});
