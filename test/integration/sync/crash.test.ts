import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { mysqlAdmin } from '../../helpers/env.js';
import { putVenue, type TestGateway } from '../../helpers/gateway-process.js';
import { siteInvariants } from '../../helpers/partition-rig.js';
import { steadyCheckIns, type LoadResult } from '../../helpers/sync-load.js';
import { checkinDigest, eventually, restartSite, startSites } from '../../helpers/sync-sites.js';

/**
 * A sending and a receiving gateway killed with SIGKILL in the middle of replication, and a
 * sender stopped with SIGTERM (drain), each restarted on its own database: the two sites end
 * with the same check-ins, every accepted check-in at both, none applied twice (the inbox's
 * received entries are distinct; at the points site totals equal the ledger).
 *
 * Small batches (10 records) keep several in flight over a load of a few seconds, so the
 * process dies or drains while batches go both ways.
 */
describe('replication survives kill -9 and SIGTERM mid-sync', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hg-sync-crash-'));
  const notifyFile = join(dir, 'notifications.jsonl');
  let ka: TestGateway;
  let kb: TestGateway;
  const accepted: string[] = [];

  beforeAll(async () => {
    [ka, kb] = (await startSites([
      { siteId: 'ka', siteNumber: 41, capabilities: ['checkin', 'ussd', 'sms', 'notify'], config: { sync: { pollIntervalMs: 50, backoffCapMs: 500, breakerOpenMs: 300, batchMaxRecords: 10 } } },
      {
        siteId: 'kb',
        siteNumber: 42,
        config: {
          sync: { pollIntervalMs: 50, backoffCapMs: 500, breakerOpenMs: 300, batchMaxRecords: 10 },
          notify: { sink: { type: 'file', path: notifyFile }, claimTimeoutMs: 1000 },
          pool: { enabled: true, threads: 1, backoffBaseMs: 50, backoffMaxMs: 300, maxAttempts: 30, recoveryIntervalMs: 200, recoveryGraceMs: 500 },
        },
      },
    ])) as [TestGateway, TestGateway];
    expect((await putVenue(ka, 'kv1', { name: 'Kioski', city: 'Mombasa' })).status).toBe(201);
    expect(await eventually(async () => (await kb.request('GET', '/v1/venues/kv1')).status === 200, 20_000)).toBe(true);
  });
  afterAll(async () => {
    await Promise.all([ka, kb].map((s) => s?.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  /** Load at both sites for `ms`; `victim` is stopped with `signal` halfway, then started again. */
  async function loadAndInterrupt(victim: 'ka' | 'kb', signal: NodeJS.Signals, tag: number): Promise<{ loads: LoadResult[]; exitCode: number | null }> {
    const untilMs = Date.now() + 3000;
    const loads = Promise.all([ka, kb].map((s, i) => steadyCheckIns(s, { count: 400, intervalMs: 10, users: 25, venues: ['kv1'], tag: tag + i, untilMs })));
    await new Promise((r) => setTimeout(r, 1500));
    const gw = victim === 'ka' ? ka : kb;
    const exitCode = await gw.stop({ keepData: true, signal });
    const restarted = await restartSite(gw);
    if (victim === 'ka') ka = restarted;
    else kb = restarted;
    return { loads: await loads, exitCode };
  }

  async function count(gw: TestGateway, sql: string): Promise<number> {
    const c = await mysqlAdmin(gw.database);
    try {
      const [rows] = await c.query(sql);
      return Number((rows as Array<{ n: string }>)[0]!.n);
    } finally {
      await c.end();
    }
  }

  async function expectConverged(): Promise<void> {
    // Both sites hold the same set; every check-in a site answered 201 for is in it.
    expect(await eventually(async () => JSON.stringify(await checkinDigest(ka)) === JSON.stringify(await checkinDigest(kb)), 60_000, 200)).toBe(true);
    const ids = accepted.join(',');
    for (const s of [ka, kb]) {
      expect(await count(s, `SELECT COUNT(*) n FROM checkins WHERE id IN (${ids})`)).toBe(accepted.length);
    }
    // Each peer entry was received once, and what it carried was applied once.
    expect(await count(kb, "SELECT COUNT(*) - COUNT(DISTINCT seq) n FROM sync_inbox WHERE origin = 'ka'")).toBe(0);
    expect(await count(kb, "SELECT COUNT(*) n FROM checkins WHERE site = 'ka'")).toBe(await count(ka, "SELECT COUNT(*) n FROM checkins WHERE site = 'ka'"));
    expect(await count(kb, 'SELECT COUNT(*) n FROM checkin_work')).toBe(await count(kb, 'SELECT COUNT(*) n FROM checkins'));
    let problems: string[] = [];
    await eventually(async () => {
      problems = (await siteInvariants(kb, notifyFile)).problems;
      return problems.length === 0;
    }, 60_000, 500);
    expect(problems).toEqual([]);
  }

  test('kill -9 of the sending gateway mid-sync, restart: converges, nothing lost or doubled', async () => {
    const { loads } = await loadAndInterrupt('ka', 'SIGKILL', 70);
    accepted.push(...loads.flatMap((l) => l.ids));
    // kb was never interrupted: all its check-ins were accepted.
    expect(loads[1]!.errors).toEqual([]);
    await expectConverged();
  });

  test('kill -9 of the receiving gateway mid-sync, restart: converges, nothing lost or doubled', async () => {
    const { loads } = await loadAndInterrupt('kb', 'SIGKILL', 72);
    accepted.push(...loads.flatMap((l) => l.ids));
    expect(loads[0]!.errors).toEqual([]);
    await expectConverged();
  });

  test('SIGTERM of a sending gateway mid-sync drains: exits 0, the in-flight batch is kept or re-sent, nothing applied twice', async () => {
    const { loads, exitCode } = await loadAndInterrupt('ka', 'SIGTERM', 74);
    expect(exitCode).toBe(0);
    accepted.push(...loads.flatMap((l) => l.ids));
    expect(loads[1]!.errors).toEqual([]);
    await expectConverged();
  });
});
