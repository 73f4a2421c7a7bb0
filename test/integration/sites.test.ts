import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Sites } from '../helpers/sites.js';

// The multi-site harness itself: three gateway processes peered through link proxies.

let sites: Sites;

beforeAll(async () => {
  sites = await Sites.start();
  await sites.putVenueEverywhere('S1', { name: 'Harness Cafe', city: 'Nairobi' });
});

afterAll(async () => {
  await sites?.stop();
});

async function reaches(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(3000) })).ok;
  } catch {
    return false;
  }
}

describe('multi-site harness', () => {
  it('starts three sites, each taking its own check-ins into its own database', async () => {
    const msisdns = { nbo: '+254700000301', mba: '+254700000302', ksm: '+254700000303' } as const;
    for (const [site, msisdn] of Object.entries(msisdns)) {
      const r = await sites.checkIn(site, msisdn, 'S1');
      expect(r.status, r.text).toBe(201);
      expect(r.json.checkin.site).toBe(site);
    }
    for (const site of Object.keys(msisdns)) expect(await sites.countCheckins(site)).toBe(1);
    const sums = await Promise.all(['nbo', 'mba', 'ksm'].map((s) => sites.checksum(s)));
    // Three different check-ins (no sync here): three different id sets.
    expect(new Set(sums.map((s) => s.xor)).size).toBe(3);
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
    // Other links are untouched, and the sites themselves still take check-ins.
    expect(await reaches(sites.peerUrl('nbo', 'mba'))).toBe(true);
    expect((await sites.checkIn('ksm', '+254700000304', 'S1')).status).toBe(201);
    await sites.heal('nbo', 'ksm');
    expect(await reaches(sites.peerUrl('nbo', 'ksm'))).toBe(true);
    expect(await reaches(sites.peerUrl('ksm', 'nbo'))).toBe(true);
  });
});
