import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { putVenue, type TestGateway } from '../../helpers/gateway-process.js';
import { eventually, freePort, startSites } from '../../helpers/sync-sites.js';
import { TcpProxy } from '../../helpers/tcp-proxy.js';

/**
 * Number portability across three sites: a port made at one site moves the subscriber's home
 * site and telco at every site, also when the new home site is cut off while it is made
 * (it converges once the links heal); concurrent ports resolve the same way everywhere; the
 * subscriber keeps their history, and their next check-in anywhere shows the new home.
 */
describe('profiles replicate', () => {
  let sites: TestGateway[] = [];
  const proxies = new Map<string, TcpProxy>();
  let a: TestGateway;
  let b: TestGateway;
  let c: TestGateway;
  const admin = (gw: TestGateway) => ({ 'x-api-key': gw.adminKey });
  const home = async (gw: TestGateway, msisdn: string) => (await gw.request('GET', `/v1/users/${msisdn}`)).json?.homeSite;

  beforeAll(async () => {
    const ids = ['pa', 'pb', 'pc'];
    const ports = await Promise.all(ids.map(() => freePort()));
    // Every link towards pc goes through a proxy the test can cut.
    for (const from of ['pa', 'pb']) {
      const p = new TcpProxy(ports[2]!);
      await p.start();
      proxies.set(from, p);
    }
    sites = await startSites(
      [
        { siteId: 'pa', siteNumber: 31 },
        { siteId: 'pb', siteNumber: 32, capabilities: ['checkin', 'ussd', 'sms', 'notify'] },
        { siteId: 'pc', siteNumber: 33, capabilities: ['checkin', 'ussd', 'sms', 'notify'] },
      ],
      { ports, peerUrl: (from, to, port) => (to === 'pc' ? `http://127.0.0.1:${proxies.get(from)!.port}` : `http://127.0.0.1:${port}`) },
    );
    [a, b, c] = sites as [TestGateway, TestGateway, TestGateway];
    expect((await putVenue(a, 'pv', { name: 'Duka', city: 'Kisumu' })).status).toBe(201);
    expect(await eventually(async () => (await b.request('GET', '/v1/venues/pv')).status === 200 && (await c.request('GET', '/v1/venues/pv')).status === 200, 15_000)).toBe(true);
  });
  afterAll(async () => {
    await Promise.all(sites.map((s) => s.stop()));
    await Promise.all([...proxies.values()].map((p) => p.stop()));
  });

  test('a port made at one site moves the subscriber everywhere; history stays', async () => {
    const msisdn = '+254712770001';
    expect((await a.request('POST', '/v1/checkins', { msisdn, venueId: 'pv' })).status).toBe(201);
    expect(await eventually(async () => (await home(b, msisdn)) === 'pa' && (await home(c, msisdn)) === 'pa', 15_000)).toBe(true);
    const ported = await b.request('POST', `/v1/users/${msisdn}/port`, { homeSite: 'pc', telco: 'Safaricom' }, admin(b));
    expect(ported.status).toBe(200);
    expect(ported.json).toMatchObject({ msisdn, homeSite: 'pc', telco: 'Safaricom', version: 2 });
    for (const gw of sites) {
      expect(await eventually(async () => (await gw.request('GET', `/v1/users/${msisdn}`)).json?.telco === 'Safaricom', 15_000)).toBe(true);
      expect(await home(gw, msisdn)).toBe('pc');
    }
    // The next check-in anywhere is the ported subscriber's, at the new home.
    expect((await c.request('POST', '/v1/checkins', { msisdn, venueId: 'pv' })).status).toBe(201);
    expect(await home(c, msisdn)).toBe('pc');
    expect(await home(a, msisdn)).toBe('pc');
  });

  test('a port made while the new home site is cut off reaches it when the links heal', async () => {
    const msisdn = '+254712770002';
    for (const p of proxies.values()) p.set('refuse');
    const ported = await a.request('POST', `/v1/users/${msisdn}/port`, { homeSite: 'pc' }, admin(a));
    expect(ported.status).toBe(200);
    expect(await eventually(async () => (await home(b, msisdn)) === 'pc', 15_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 1500));
    expect((await c.request('GET', `/v1/users/${msisdn}`)).status).toBe(404);
    for (const p of proxies.values()) p.set('pass');
    expect(await eventually(async () => (await home(c, msisdn)) === 'pc', 20_000)).toBe(true);
  });

  test('concurrent ports of one subscriber end the same at every site (version, then site id)', async () => {
    const msisdn = '+254712770003';
    expect((await a.request('POST', '/v1/checkins', { msisdn, venueId: 'pv' })).status).toBe(201);
    expect(await eventually(async () => (await home(c, msisdn)) === 'pa', 15_000)).toBe(true);
    // Both make version 2 of the profile without seeing the other's: pc > pb decides.
    for (const p of proxies.values()) p.set('refuse');
    const [fromB, fromC] = await Promise.all([
      b.request('POST', `/v1/users/${msisdn}/port`, { homeSite: 'pb', telco: 'Airtel' }, admin(b)),
      c.request('POST', `/v1/users/${msisdn}/port`, { homeSite: 'pa', telco: 'Telkom' }, admin(c)),
    ]);
    expect([fromB.json.version, fromC.json.version]).toEqual([2, 2]);
    for (const p of proxies.values()) p.set('pass');
    for (const gw of sites) {
      expect(await eventually(async () => (await gw.request('GET', `/v1/users/${msisdn}`)).json?.telco === 'Telkom', 20_000)).toBe(true);
      expect(await home(gw, msisdn)).toBe('pa');
    }
  });
});
