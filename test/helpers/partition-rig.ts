import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import { MYSQL, REDIS } from './env.js';
import { checkInvariants, type InvariantReport } from './events-invariants.js';
import { putVenue, type TestGateway } from './gateway-process.js';
import { idsDigest, steadyCheckIns, type LoadResult } from './sync-load.js';
import { checkinDigest, eventually, startSites } from './sync-sites.js';
import { TcpProxy } from './tcp-proxy.js';

export const VENUES = ['pv1', 'pv2', 'pv3'] as const;

/**
 * Three sites in a full mesh, every directed link through its own fault proxy. `pa` holds
 * `points` with the event pool on (a file notifier); `pb` and `pc` do not. `cut(site)`
 * isolates a site both ways: its outgoing links black-hole (`stall`), its incoming ones
 * refuse; `heal()` passes everything again.
 */
export class PartitionRig {
  sites: TestGateway[] = [];
  private readonly proxies = new Map<string, TcpProxy>();
  private readonly dir = mkdtempSync(join(tmpdir(), 'hg-partition-'));
  readonly notifyFile = join(this.dir, 'notifications.jsonl');

  async start(sync: Record<string, unknown> = {}): Promise<TestGateway[]> {
    const syncConfig = { pollIntervalMs: 50, backoffCapMs: 1000, breakerOpenMs: 500, requestTimeoutMs: 2000, ...sync };
    this.sites = await startSites(
      [
        {
          siteId: 'pa',
          siteNumber: 31,
          config: {
            sync: syncConfig,
            notify: { sink: { type: 'file', path: this.notifyFile }, claimTimeoutMs: 1000 },
            pool: { enabled: true, threads: 1, backoffBaseMs: 50, backoffMaxMs: 300, maxAttempts: 30, recoveryIntervalMs: 200, recoveryGraceMs: 500 },
          },
        },
        { siteId: 'pb', siteNumber: 32, capabilities: ['checkin', 'ussd', 'sms', 'notify'], config: { sync: syncConfig } },
        { siteId: 'pc', siteNumber: 33, capabilities: ['checkin', 'ussd', 'sms', 'notify'], config: { sync: syncConfig } },
      ],
      {
        peerUrl: async (from, to, port) => {
          const proxy = new TcpProxy(port);
          this.proxies.set(`${from}>${to}`, proxy);
          return `http://127.0.0.1:${await proxy.start()}`;
        },
      },
    );
    return this.sites;
  }

  site(id: string): TestGateway {
    return this.sites.find((s) => (s.config as { siteId: string }).siteId === id)!;
  }

  /** Venues made at `pa`, known at every site before any load. */
  async venues(): Promise<boolean> {
    for (const [i, v] of VENUES.entries()) await putVenue(this.sites[0]!, v, { name: `Duka ${i}`, city: 'Nairobi' });
    return eventually(async () => {
      const all = await Promise.all(this.sites.flatMap((s) => VENUES.map((v) => s.request('GET', `/v1/venues/${v}`))));
      return all.every((r) => r.status === 200);
    }, 20_000);
  }

  cut(site: string): void {
    for (const [link, proxy] of this.proxies) {
      const [from, to] = link.split('>');
      if (from === site) proxy.set('stall');
      else if (to === site) proxy.set('refuse');
    }
  }

  heal(): void {
    for (const proxy of this.proxies.values()) proxy.set('pass');
  }

  /** Whether every site holds exactly `expected`. */
  async converged(expected: ReturnType<typeof idsDigest>): Promise<boolean> {
    const digests = await Promise.all(this.sites.map((s) => checkinDigest(s)));
    return digests.every((d) => d.count === expected.count && d.xor === expected.xor && d.sum === expected.sum);
  }

  /** The exactly-once checks at the points site (totals = ledger, boards, notifications, nothing pending). */
  pointsInvariants(): Promise<InvariantReport> {
    return siteInvariants(this.site('pa'), this.notifyFile);
  }

  async stop(): Promise<void> {
    await Promise.all(this.sites.map((s) => s.stop()));
    await Promise.all([...this.proxies.values()].map((p) => p.stop()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `checkInvariants` (events-invariants.ts) on a gateway process's own database and Redis prefix. */
export async function siteInvariants(gw: TestGateway, notifyFile: string): Promise<InvariantReport> {
  const db = mysql.createPool({ ...MYSQL, database: gw.database, connectionLimit: 2 });
  const redis = new Redis({ ...REDIS, lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await redis.connect();
    return await checkInvariants({ db: db as never, redis, key: (k: string) => `${gw.redisPrefix}${k}`, notifyFile });
  } finally {
    redis.disconnect();
    await db.end();
  }
}

export interface PartitionRun {
  readonly loads: LoadResult[];
  readonly expected: ReturnType<typeof idsDigest>;
  /** From `heal()` to every site holding every accepted check-in; null if not within the wait. */
  readonly convergedAfterHealMs: number | null;
  /** From the last check-in accepted to convergence (the load goes on `afterMs` past the heal). */
  readonly convergedAfterLoadMs: number | null;
}

/**
 * Steady check-ins at every site for `before + partition + after` ms, with site `cutSite`
 * isolated for `partitionMs` in the middle; then waits for every site to hold every accepted
 * check-in.
 */
export async function runPartition(rig: PartitionRig, opts: { cutSite: string; partitionMs: number; beforeMs: number; afterMs: number; intervalMs: number; users: number }): Promise<PartitionRun> {
  const count = Math.ceil((opts.beforeMs + opts.partitionMs + opts.afterMs) / opts.intervalMs);
  // On a busy box requests run late: the load stops on time rather than on count, so the
  // partition stays in the middle of it.
  const untilMs = Date.now() + opts.beforeMs + opts.partitionMs + opts.afterMs;
  const loading = Promise.all(rig.sites.map((s) => steadyCheckIns(s, { count, intervalMs: opts.intervalMs, users: opts.users, venues: VENUES, tag: 60, untilMs })));
  await new Promise((r) => setTimeout(r, opts.beforeMs));
  rig.cut(opts.cutSite);
  await new Promise((r) => setTimeout(r, opts.partitionMs));
  rig.heal();
  const healedAt = Date.now();
  const loads = await loading;
  const loadedAt = Date.now();
  const expected = idsDigest(loads.flatMap((l) => l.ids));
  const ok = await eventually(() => rig.converged(expected), 60_000, 50);
  const now = Date.now();
  return { loads, expected, convergedAfterHealMs: ok ? now - healedAt : null, convergedAfterLoadMs: ok ? now - loadedAt : null };
}
