import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { putVenue, startGateway, type TestGateway } from '../../helpers/gateway-process.js';
import { checkinDigest, eventually, freePort, pairSecret } from '../../helpers/sync-sites.js';

/**
 * Two processes of one site share its database and its replication: one holds the sender
 * lock and sends for both; when it dies (kill -9) the other takes over, and every check-in
 * either process committed reaches the peer exactly once.
 */
describe('several processes of one site', () => {
  const gws: TestGateway[] = [];
  let one: TestGateway;
  let two: TestGateway;
  let peer: TestGateway;
  const admin = (gw: TestGateway) => ({ 'x-api-key': gw.adminKey });

  beforeAll(async () => {
    const [p1, p2, pPeer] = await Promise.all([freePort(), freePort(), freePort()]);
    const secret = pairSecret('la', 'lb');
    const site = (port: number) => ({
      siteId: 'la',
      siteNumber: 41,
      http: { host: '127.0.0.1', port, requestDeadlineMs: 10_000 },
      peers: [{ siteId: 'lb', url: `http://127.0.0.1:${pPeer}`, secret }],
      sync: { pollIntervalMs: 50 },
    });
    one = await startGateway({ config: site(p1) });
    gws.push(one);
    two = await startGateway({ config: site(p2), database: one.database, skipMigrate: true });
    gws.push(two);
    peer = await startGateway({
      config: {
        siteId: 'lb',
        siteNumber: 42,
        http: { host: '127.0.0.1', port: pPeer, requestDeadlineMs: 10_000 },
        peers: [{ siteId: 'la', url: `http://127.0.0.1:${p1}`, secret }],
      },
    });
    gws.push(peer);
    expect((await putVenue(one, 'lv', { name: 'Stage', city: 'Mombasa' })).status).toBe(201);
  });
  afterAll(async () => {
    await Promise.all(gws.map((g) => g.stop({ keepData: g === two })));
  });

  const leaders = async () =>
    Promise.all([one, two].map(async (g) => (g.proc.exitCode === null && g.proc.signalCode === null ? (await g.request('GET', '/admin/sync', undefined, admin(g))).json.leader : false)));

  test('exactly one process sends; the other takes over when it is killed', async () => {
    expect(await eventually(async () => (await leaders()).filter(Boolean).length === 1, 10_000)).toBe(true);
    const made = await Promise.all(
      Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? one : two).request('POST', '/v1/checkins', { msisdn: `07145000${String(i).padStart(2, '0')}`, venueId: 'lv' })),
    );
    expect(made.every((r) => r.status === 201)).toBe(true);
    expect(await eventually(async () => (await checkinDigest(peer)).count === 30, 20_000)).toBe(true);

    const [oneLeads] = await leaders();
    const leader = oneLeads ? one : two;
    const survivor = oneLeads ? two : one;
    leader.proc.kill('SIGKILL');
    await leader.exited;
    // The survivor commits more; it must become the sender and deliver them.
    const more = await Promise.all(Array.from({ length: 10 }, (_, i) => survivor.request('POST', '/v1/checkins', { msisdn: `07146000${String(i).padStart(2, '0')}`, venueId: 'lv' })));
    expect(more.every((r) => r.status === 201)).toBe(true);
    expect(await eventually(async () => (await survivor.request('GET', '/admin/sync', undefined, admin(survivor))).json.leader === true, 15_000)).toBe(true);
    expect(await eventually(async () => (await checkinDigest(peer)).count === 40, 20_000)).toBe(true);
    expect(await checkinDigest(peer)).toEqual(await checkinDigest(survivor));
  });
});
