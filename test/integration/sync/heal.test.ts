import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { putVenue, type TestGateway } from '../../helpers/gateway-process.js';
import { checkinDigest, eventually, startSites } from '../../helpers/sync-sites.js';
import { TcpProxy } from '../../helpers/tcp-proxy.js';

/**
 * Once a peer's breaker is open, the breaker paces the retries (one probe per
 * breakerOpenMs); the exponential backoff does not grow on top of it. Otherwise a healed
 * link waits out the backoff (up to backoffCapMs, here made 10 minutes to show it) before
 * it carries traffic again.
 */
describe('a healed link is used again at the breaker pace, not after the backoff', () => {
  let sites: TestGateway[] = [];
  let proxy: TcpProxy;

  beforeAll(async () => {
    const sync = { pollIntervalMs: 50, backoffBaseMs: 600_000, backoffCapMs: 600_000, breakerFailures: 1, breakerOpenMs: 300 };
    sites = await startSites([{ siteId: 'ha', siteNumber: 51, config: { sync } }, { siteId: 'hb', siteNumber: 52, capabilities: ['checkin', 'ussd', 'sms', 'notify'], config: { sync } }], {
      peerUrl: async (from, _to, port) => {
        if (from !== 'ha') return `http://127.0.0.1:${port}`;
        proxy = new TcpProxy(port);
        return `http://127.0.0.1:${await proxy.start()}`;
      },
    });
  });
  afterAll(async () => {
    await Promise.all(sites.map((s) => s.stop()));
    await proxy?.stop();
  });

  test('with a 10-minute backoff cap and a 300 ms breaker, a cut link is retried every ~300 ms and used as soon as it heals', async () => {
    const [ha, hb] = sites as [TestGateway, TestGateway];
    proxy.set('refuse');
    expect((await putVenue(ha, 'hv1', { name: 'Hoteli', city: 'Kisumu' })).status).toBe(201);
    const made = await Promise.all(Array.from({ length: 5 }, (_, i) => ha.request('POST', '/v1/checkins', { msisdn: `+25471500000${i}`, venueId: 'hv1' })));
    expect(made.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    const retries = async () => (await ha.request('GET', '/admin/sync', undefined, { 'x-api-key': ha.adminKey })).json.peers[0].retries as number;
    // Several probes while cut: with the backoff on top, the second would come after up to 10 minutes.
    expect(await eventually(async () => (await retries()) >= 4, 20_000)).toBe(true);
    proxy.set('pass');
    expect(await eventually(async () => (await checkinDigest(hb)).count === 5, 20_000)).toBe(true);
  });
});
