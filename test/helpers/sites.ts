import { randomBytes } from 'node:crypto';
import { startRedisServer, type RedisServerProcess } from '../../src/cli/redis-server-process.js';
import { deleteRedisPrefix, REDIS, uniqueName } from './env.js';
import { merge, putVenue, startGateway, type HttpResult, type TestGateway } from './gateway-process.js';
import { LinkProxy } from './link-proxy.js';
import { running } from './running-gateways.js';
import { checkinDigest, freePort } from './sync-sites.js';

/** One site of a test deployment. */
export interface SiteSpec {
  readonly siteId: string;
  /** @defaultValue every capability but `points`, which only `pointsSite` holds */
  readonly capabilities?: readonly string[];
  /** Deep-merged over this site's config (e.g. `{ pool: { enabled: true } }`). */
  readonly config?: Record<string, unknown>;
}

export interface SitesOptions {
  /** @defaultValue nbo, mba, ksm */
  readonly sites?: readonly SiteSpec[];
  /** The site holding `points`. @defaultValue the first */
  readonly pointsSite?: string;
  /**
   * Real `redis-server` processes for the read model: the points site reads the master,
   * the next site a replica of it, the next a replica of that replica, and so on, each
   * replica linked to its master through a LinkProxy (`replicaLink`). Without it every site
   * reads one shared prefix of the machine's Redis (as if replication were instant).
   */
  readonly replicaChain?: boolean;
  /** Deep-merged over every site's config. */
  readonly config?: Record<string, unknown>;
}

export interface Site {
  readonly siteId: string;
  readonly gw: TestGateway;
  /** The Redis port this site reads its read model from. */
  readonly readModelPort: number;
}

const DEFAULT_SITES: readonly SiteSpec[] = [{ siteId: 'nbo' }, { siteId: 'mba' }, { siteId: 'ksm' }];
const ALL_BUT_POINTS = ['checkin', 'ussd', 'sms', 'notify'];

/**
 * A deployment of N sites on this machine: N gateway processes (gateway-process.ts), each
 * with its own database and Redis prefix, peers configured both ways with a secret per
 * pair, every peer URL going through a LinkProxy for its direction (site A's URL for B is
 * the proxy A→B), so a test can cut, black-hole, slow or reset any link. Works with or
 * without the sync thread: the links carry whatever the sites send each other.
 */
export class Sites {
  private constructor(
    readonly sites: readonly Site[],
    private readonly links: ReadonlyMap<string, LinkProxy>,
    private readonly replicaLinks: ReadonlyMap<string, LinkProxy>,
    readonly redisServers: readonly RedisServerProcess[],
    /** The read model's key prefix, shared by every site (the points site writes it). */
    readonly readModelPrefix: string,
  ) {}

  static async start(opts: SitesOptions = {}): Promise<Sites> {
    const specs = opts.sites ?? DEFAULT_SITES;
    const pointsSite = opts.pointsSite ?? specs[0]!.siteId;
    const readModelPrefix = `${uniqueName('hgrm')}:`;
    const redisServers: RedisServerProcess[] = [];
    const replicaLinks = new Map<string, LinkProxy>();
    const links = new Map<string, LinkProxy>();
    const gateways: TestGateway[] = [];
    try {
      // Read-model ports: the chain in site order, starting at the points site.
      const readModelPorts = new Map<string, number>();
      if (opts.replicaChain) {
        const order = [pointsSite, ...specs.map((s) => s.siteId).filter((id) => id !== pointsSite)];
        let upstream: number | null = null;
        for (const siteId of order) {
          const port = await freePort();
          let replicaOf: { host: string; port: number } | undefined;
          if (upstream !== null) {
            const link = new LinkProxy(upstream);
            replicaLinks.set(siteId, link);
            replicaOf = { host: '127.0.0.1', port: await link.start() };
          }
          const server = await startRedisServer({ port, ...(replicaOf ? { replicaOf } : {}) });
          redisServers.push(server);
          running.add(server);
          readModelPorts.set(siteId, port);
          upstream = port;
        }
      }
      for (const a of specs) {
        for (const b of specs) {
          if (a === b) continue;
          const link = new LinkProxy();
          await link.start();
          links.set(`${a.siteId}>${b.siteId}`, link);
        }
      }
      const secrets = new Map<string, string>();
      const secretOf = (a: string, b: string) => {
        const k = [a, b].sort().join('|');
        if (!secrets.has(k)) secrets.set(k, randomBytes(24).toString('hex'));
        return secrets.get(k)!;
      };
      const started = await Promise.allSettled(
        specs.map((spec, i) => {
          const isPoints = spec.siteId === pointsSite;
          const siteConfig: Record<string, unknown> = {
            siteId: spec.siteId,
            siteNumber: 21 + i,
            capabilities: spec.capabilities ?? (isPoints ? [...ALL_BUT_POINTS, 'points'] : ALL_BUT_POINTS),
            pointsSite,
            peers: specs
              .filter((p) => p !== spec)
              .map((p) => ({ siteId: p.siteId, url: `http://127.0.0.1:${links.get(`${spec.siteId}>${p.siteId}`)!.port}`, secret: secretOf(spec.siteId, p.siteId) })),
            redis: { readModel: { ...REDIS, port: readModelPorts.get(spec.siteId) ?? REDIS.port, keyPrefix: readModelPrefix } },
          };
          // Several gateways start at once, sharing two cores with whatever else runs.
          return startGateway({ config: merge(merge(siteConfig, opts.config ?? {}), spec.config ?? {}), startTimeoutMs: 60_000 });
        }),
      );
      for (const s of started) if (s.status === 'fulfilled') gateways.push(s.value);
      const failed = started.find((s) => s.status === 'rejected');
      if (failed) throw (failed as PromiseRejectedResult).reason;
      const sites = specs.map((spec, i) => ({ siteId: spec.siteId, gw: gateways[i]!, readModelPort: readModelPorts.get(spec.siteId) ?? REDIS.port }));
      for (const [key, link] of links) link.setTarget(sites.find((s) => s.siteId === key.split('>')[1])!.gw.port);
      return new Sites(sites, links, replicaLinks, redisServers, readModelPrefix);
    } catch (e) {
      await Promise.allSettled(gateways.map((g) => g.stop()));
      await stopAll([...links.values(), ...replicaLinks.values()], redisServers, readModelPrefix);
      throw e;
    }
  }

  site(siteId: string): Site {
    const s = this.sites.find((x) => x.siteId === siteId);
    if (!s) throw new Error(`no site ${siteId}`);
    return s;
  }

  /** The proxy on the link `from` → `to` (what `from` uses to reach `to`). */
  link(from: string, to: string): LinkProxy {
    const l = this.links.get(`${from}>${to}`);
    if (!l) throw new Error(`no link ${from}>${to}`);
    return l;
  }

  /** The URL `from` has for `to` in its peers. */
  peerUrl(from: string, to: string): string {
    return `http://127.0.0.1:${this.link(from, to).port}`;
  }

  /** Cuts both directions between `a` and `b`. */
  async cut(a: string, b: string): Promise<void> {
    await Promise.all([this.link(a, b).cut(), this.link(b, a).cut()]);
  }

  async heal(a: string, b: string): Promise<void> {
    await Promise.all([this.link(a, b).heal(), this.link(b, a).heal()]);
  }

  latency(a: string, b: string, ms: number): void {
    this.link(a, b).latency(ms);
    this.link(b, a).latency(ms);
  }

  /** The proxy between `siteId`'s read-model replica and its master (replicaChain only). */
  replicaLink(siteId: string): LinkProxy {
    const l = this.replicaLinks.get(siteId);
    if (!l) throw new Error(`${siteId} reads no replica (replicaChain off, or it is the points site)`);
    return l;
  }

  /** Creates (or replaces) a venue at every site: venues do not replicate without sync. */
  async putVenueEverywhere(id: string, venue: { name: string; city: string; open?: boolean; code?: string }): Promise<void> {
    for (const s of this.sites) {
      // A replace is idempotent: a 503/504 of a busy box is simply sent again.
      let r = await putVenue(s.gw, id, venue);
      for (let i = 0; i < 3 && r.status >= 500; i++) r = await putVenue(s.gw, id, venue);
      if (r.status >= 300) throw new Error(`PUT venue at ${s.siteId}: ${r.status} ${r.text}`);
    }
  }

  checkIn(siteId: string, msisdn: string, venueId: string, idempotencyKey?: string): Promise<HttpResult> {
    return this.site(siteId).gw.request('POST', '/v1/checkins', { msisdn, venueId }, idempotencyKey ? { 'idempotency-key': idempotencyKey } : {});
  }

  async countCheckins(siteId: string): Promise<number> {
    return (await this.checksum(siteId)).count;
  }

  /** Count and order-free checksums of the check-ins a site holds: equal at two sites = the same set. */
  checksum(siteId: string): Promise<{ count: number; xor: string; sum: string }> {
    return checkinDigest(this.site(siteId).gw);
  }

  /**
   * Waits until every site holds the same check-ins (equal checksums, unchanged over two
   * looks), and returns the checksums in site order; throws with what each site held if
   * that does not happen within `withinMs`.
   */
  async converged(withinMs = 30_000): Promise<Array<{ count: number; xor: string; sum: string }>> {
    const until = Date.now() + withinMs;
    let last = '';
    for (;;) {
      const sums = await Promise.all(this.sites.map((s) => this.checksum(s.siteId)));
      const key = JSON.stringify(sums);
      if (new Set(sums.map((x) => `${x.count}/${x.xor}/${x.sum}`)).size === 1 && key === last) return sums;
      if (Date.now() > until) throw new Error(`sites did not converge in ${withinMs} ms: ${this.sites.map((s, i) => `${s.siteId} ${sums[i]!.count}`).join(', ')}`);
      last = key;
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Stops every gateway (dropping its database and keys), proxy and redis-server it started. */
  async stop(): Promise<void> {
    await Promise.allSettled(this.sites.map((s) => s.gw.stop()));
    await stopAll([...this.links.values(), ...this.replicaLinks.values()], this.redisServers, this.readModelPrefix);
  }
}

async function stopAll(links: readonly LinkProxy[], servers: readonly RedisServerProcess[], readModelPrefix: string): Promise<void> {
  await Promise.allSettled(links.map((l) => l.stop()));
  await Promise.allSettled(
    servers.map(async (s) => {
      running.delete(s);
      await s.stop();
    }),
  );
  await deleteRedisPrefix(readModelPrefix);
}

