import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answersPing } from '../../src/cli/redis-server-process.js';
import { alive, expectCheckInReadAcrossSites, startDemo, type DemoRun } from '../helpers/demo.js';
import { checkinDigest } from '../helpers/sync-sites.js';

// `hopgate demo` (issue 13) on the example configs, with free ports and the test's own
// databases: three gateway processes, a Redis master and two chained replicas, a light
// bounded traffic at every site; a check-in at the far site is read at the points site and
// at the far site itself (sync → points site → master → replica → replica); Ctrl-C leaves
// nothing running.

let demo: DemoRun;

beforeAll(async () => {
  demo = await startDemo({ traffic: 5, trafficFor: 30 });
}, 200_000); // three gateways starting at once on a busy 2-core box: more than the default hook bound

afterAll(async () => {
  await demo?.stop();
}, 120_000);

describe('hopgate demo', () => {
  it('prints where each site listens and what to try; every site answers and takes check-ins', async () => {
    const out = demo.output();
    for (const s of demo.sites) expect(out).toContain(s.url);
    expect(out).toMatch(/\/ussd\/africastalking/);
    expect(out).toMatch(/\/admin\/sync/);
    expect(out).toMatch(/\/metrics/);
    for (const s of demo.sites) {
      expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
      const r = await demo.request(s.siteId, 'POST', '/v1/checkins', { msisdn: '0712000777', venueId: '4321' });
      expect(r.status, JSON.stringify(r.json)).toBe(201);
      expect(r.json.checkin.site).toBe(s.siteId);
    }
    // The traffic reaches every site (5/s each): more than the one check-in above.
    const until = Date.now() + 20_000;
    for (const s of demo.sites) {
      while ((await checkinDigest(s)).count < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
      expect((await checkinDigest(s)).count).toBeGreaterThanOrEqual(3);
    }
  });

  it('runs the read-model chain: a key written at the master reaches the far replica; reads there are fresh', async () => {
    const [nbo, mba, ksm] = demo.sites;
    const master = new Redis({ port: nbo!.readModelPort, lazyConnect: true });
    const far = new Redis({ port: ksm!.readModelPort, lazyConnect: true });
    try {
      await master.connect();
      await far.connect();
      const roles = await Promise.all(demo.sites.map(async (s) => {
        const r = new Redis({ port: s.readModelPort, lazyConnect: true });
        await r.connect();
        const info = await r.info('replication');
        r.disconnect();
        return [/role:(\w+)/.exec(info)![1], /master_port:(\d+)/.exec(info)?.[1] ?? null];
      }));
      expect(roles).toEqual([['master', null], ['slave', String(nbo!.readModelPort)], ['slave', String(mba!.readModelPort)]]);
      await master.set(`${demo.readModelPrefix}demo-probe`, 'hello');
      let got: string | null = null;
      for (let i = 0; i < 100 && got === null; i++) {
        got = await far.get(`${demo.readModelPrefix}demo-probe`);
        if (got === null) await new Promise((r) => setTimeout(r, 50));
      }
      expect(got).toBe('hello');
    } finally {
      master.disconnect();
      far.disconnect();
    }
    const board = await demo.request('ksm', 'GET', '/v1/leaderboards/global');
    expect(board).toEqual({ status: 200, json: expect.objectContaining({ stale: false }) });
  });

  it('carries a check-in at the far site to the points site and back down the replica chain', async () => {
    await expectCheckInReadAcrossSites(demo, 30_000);
  });

  it('stops everything it started on Ctrl-C: no gateway, no redis-server left', async () => {
    const children = demo.children();
    // Three gateways and three redis-servers.
    expect(children.length).toBe(6);
    const code = await demo.stop({ signal: 'SIGINT' });
    expect(code).toBe(0);
    expect(demo.output()).toContain('hopgate demo: stopped');
    expect(children.filter(alive)).toEqual([]);
    for (const s of demo.sites) {
      expect(await answersPing(s.readModelPort)).toBe(false);
      await expect(fetch(`${s.url}/healthz`)).rejects.toThrow();
    }
  });
});
