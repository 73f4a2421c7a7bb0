import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sites } from '../helpers/sites.js';

// Three sites (nbo holds points) on the multi-site harness: three gateway processes peered
// through link proxies, reading their points from a chain of real redis-server processes:
// nbo the master, mba a replica of it, ksm a replica of that replica (each replica linked to
// its master through a LinkProxy). The harness is tested first, then the read model on the
// chain (issue 13, CQRS). Without the sync thread a check-in reaches nbo by being made there
// too: nbo's pool awards the points, the master replicates them down the chain, ksm reads them.

let sites: Sites;
const MSISDN = '+254711000501';

beforeAll(async () => {
  sites = await Sites.start({
    replicaChain: true,
    config: { redis: { replicaCheck: { intervalMs: 200, maxLagSec: 3 } } },
    sites: [{ siteId: 'nbo', config: { pool: { enabled: true } } }, { siteId: 'mba' }, { siteId: 'ksm' }],
  });
  await sites.putVenueEverywhere('S1', { name: 'Harness Cafe', city: 'Nairobi' });
  await sites.putVenueEverywhere('R1', { name: 'Chain One', city: 'Kisumu' });
  await sites.putVenueEverywhere('R2', { name: 'Chain Two', city: 'Kisumu' });
}, 180_000); // three gateways starting at once on a busy 2-core box: more than the default hook bound

afterAll(async () => {
  await sites?.stop();
}, 120_000);

async function reaches(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(3000) })).ok;
  } catch {
    return false;
  }
}

describe('multi-site harness', () => {
  it('starts three sites, each taking its own check-ins; the sites converge on the same set', async () => {
    const msisdns = { nbo: '+254700000301', mba: '+254700000302', ksm: '+254700000303' } as const;
    let xor = 0n;
    for (const [site, msisdn] of Object.entries(msisdns)) {
      const r = await sites.checkIn(site, msisdn, 'S1');
      expect(r.status, r.text).toBe(201);
      expect(r.json.checkin.site).toBe(site);
      xor ^= BigInt(r.json.checkin.id);
    }
    const sums = await sites.converged();
    expect(sums.map((x) => [x.count, x.xor])).toEqual(['nbo', 'mba', 'ksm'].map(() => [3, String(xor)]));
    // Each site knows the others as peers and that nbo holds points.
    expect(sites.site('mba').gw.config).toEqual(expect.objectContaining({ pointsSite: 'nbo' }));
    const peers = (sites.site('mba').gw.config.peers as Array<{ siteId: string; url: string }>).map((p) => [p.siteId, p.url]);
    expect(peers).toEqual([
      ['nbo', sites.peerUrl('mba', 'nbo')],
      ['ksm', sites.peerUrl('mba', 'ksm')],
    ]);
  });

  it('cuts and heals a link: the peer URL stops and starts reaching the other site', async () => {
    expect(await reaches(sites.peerUrl('nbo', 'ksm'))).toBe(true);
    expect(await reaches(sites.peerUrl('ksm', 'nbo'))).toBe(true);
    await sites.cut('nbo', 'ksm');
    expect(await reaches(sites.peerUrl('nbo', 'ksm'))).toBe(false);
    expect(await reaches(sites.peerUrl('ksm', 'nbo'))).toBe(false);
    // Other links are untouched, and the sites themselves still take check-ins: ksm's
    // reaches mba (its link is up), not nbo.
    expect(await reaches(sites.peerUrl('nbo', 'mba'))).toBe(true);
    const before = await sites.countCheckins('nbo');
    const r = await sites.checkIn('ksm', '+254700000304', 'S1');
    expect(r.status).toBe(201);
    const atMba = async () => (await sites.checksum('mba')).count;
    for (const until = Date.now() + 20_000; (await atMba()) < before + 1 && Date.now() < until; ) await new Promise((res) => setTimeout(res, 100));
    expect(await atMba()).toBe(before + 1);
    expect(await sites.countCheckins('nbo')).toBe(before);
    await sites.heal('nbo', 'ksm');
    expect(await reaches(sites.peerUrl('nbo', 'ksm'))).toBe(true);
    expect(await reaches(sites.peerUrl('ksm', 'nbo'))).toBe(true);
    expect((await sites.converged()).map((c) => c.count)).toEqual([before + 1, before + 1, before + 1]);
  });
});

interface UserView {
  points: number | null;
  stale: boolean;
}

async function user(site: string): Promise<UserView> {
  const r = await sites.site(site).gw.request('GET', `/v1/users/${MSISDN}`);
  expect(r.status, r.text).toBe(200);
  return r.json as UserView;
}

/** Polls `site`'s view of the user until `ok` holds (generous bound: a busy 2-core box). */
async function eventually(site: string, ok: (u: UserView) => boolean, ms = 20_000): Promise<UserView> {
  const until = Date.now() + ms;
  let last = await user(site);
  while (!ok(last) && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 100));
    last = await user(site);
  }
  return last;
}

async function metric(site: string, name: string): Promise<number> {
  const text = (await sites.site(site).gw.request('GET', '/metrics')).text;
  const m = new RegExp(`^${name}\\{[^}]*\\} (\\S+)$`, 'm').exec(text);
  if (!m) throw new Error(`${name} not exported`);
  return Number(m[1]);
}

describe('read model on chained replicas', () => {
  it('carries a key written at the master to the far replica', async () => {
    const [master, , far] = sites.redisServers;
    const w = new Redis({ port: master!.port, lazyConnect: true });
    const r = new Redis({ port: far!.port, lazyConnect: true });
    try {
      await w.connect();
      await r.connect();
      await w.set(`${sites.readModelPrefix}probe`, 'from-master');
      let got: string | null = null;
      for (let i = 0; i < 100 && got === null; i++) {
        got = await r.get(`${sites.readModelPrefix}probe`);
        if (got === null) await new Promise((res) => setTimeout(res, 50));
      }
      expect(got).toBe('from-master');
      // A replica refuses writes: nothing can write the read model but the points site.
      await expect(r.set(`${sites.readModelPrefix}x`, '1')).rejects.toThrow(/READONLY/);
    } finally {
      w.disconnect();
      r.disconnect();
    }
  });

  it('serves fresh figures from the far replica, stale ones (not an error) while its link is cut, fresh again once healed', async () => {
    // The user is known at ksm (its own check-in); the points come from nbo's ledger.
    expect((await sites.checkIn('ksm', MSISDN, 'R1')).status).toBe(201);
    expect((await sites.checkIn('nbo', MSISDN, 'R1')).status).toBe(201);
    const fresh = await eventually('ksm', (u) => (u.points ?? 0) > 0 && !u.stale);
    expect(fresh.stale).toBe(false);
    expect(fresh.points).toBeGreaterThan(0);
    expect(await metric('ksm', 'hopgate_read_model_replica_link_up')).toBe(1);
    expect(await metric('ksm', 'hopgate_read_model_stale')).toBe(0);
    expect(await metric('nbo', 'hopgate_read_model_replica_lag_seconds')).toBe(0);

    await sites.replicaLink('ksm').cut();
    const cut = await eventually('ksm', (u) => u.stale);
    expect(cut).toEqual(expect.objectContaining({ stale: true, points: fresh.points }));
    expect(await metric('ksm', 'hopgate_read_model_replica_link_up')).toBe(0);
    expect(await metric('ksm', 'hopgate_read_model_stale')).toBe(1);
    const admin = await sites.site('ksm').gw.request('GET', '/admin/sync', undefined, { 'x-api-key': sites.site('ksm').gw.adminKey });
    expect(admin.json.readModel).toEqual(expect.objectContaining({ role: 'replica', linkUp: false, stale: true }));
    // The other sites are untouched: mba's replica link is up, nbo reads the master.
    const board = async (site: string) => (await sites.site(site).gw.request('GET', '/v1/leaderboards/global')).json;
    expect(await board('mba')).toEqual(expect.objectContaining({ stale: false, entries: expect.arrayContaining([expect.objectContaining({ msisdn: MSISDN, points: fresh.points })]) }));
    expect(await board('ksm')).toEqual(expect.objectContaining({ stale: true, entries: expect.arrayContaining([expect.objectContaining({ msisdn: MSISDN, points: fresh.points })]) }));

    // More points at the points site while ksm is cut off: ksm cannot see them yet.
    expect((await sites.checkIn('nbo', MSISDN, 'R2')).status).toBe(201);
    const atNbo = await eventually('nbo', (u) => (u.points ?? 0) > fresh.points!);
    expect(atNbo.points).toBeGreaterThan(fresh.points!);
    expect((await user('ksm')).points).toBe(fresh.points);

    await sites.replicaLink('ksm').heal();
    const healed = await eventually('ksm', (u) => !u.stale && u.points === atNbo.points);
    expect(healed).toEqual(expect.objectContaining({ stale: false, points: atNbo.points }));
    expect(await metric('ksm', 'hopgate_read_model_replica_link_up')).toBe(1);
  });

  it('goes stale at the far site when the link higher up the chain breaks: its master stops passing on the pings', async () => {
    expect((await eventually('ksm', (u) => !u.stale)).stale).toBe(false);
    await sites.replicaLink('mba').cut();
    try {
      // ksm's own link stays up; it stops hearing from nbo's master and is stale past maxLagSec (3 s).
      const far = await eventually('ksm', (u) => u.stale);
      expect(far.stale).toBe(true);
      expect(await metric('ksm', 'hopgate_read_model_replica_link_up')).toBe(1);
      expect(await metric('ksm', 'hopgate_read_model_replica_lag_seconds')).toBeGreaterThan(3);
    } finally {
      await sites.replicaLink('mba').heal();
    }
    expect((await eventually('ksm', (u) => !u.stale)).stale).toBe(false);
  });
});
