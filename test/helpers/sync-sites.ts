import { createServer } from 'node:net';
import { mysqlAdmin } from './env.js';
import { startGateway, type GatewayOptions, type TestGateway } from './gateway-process.js';

/** A port free now (the kernel's pick, released at once) for a site whose peers must know it in advance. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export interface SiteSpec {
  readonly siteId: string;
  readonly siteNumber: number;
  readonly capabilities?: readonly string[];
  readonly config?: Record<string, unknown>;
}

/** The secret a pair of test sites shares (same on both sides, distinct per pair). */
export function pairSecret(a: string, b: string): string {
  return `test-secret-${[a, b].sort().join('-')}-0123456789abcdef0123456789`;
}

/**
 * Starts sites that replicate to each other directly (full mesh), each on a port fixed before
 * start so every peer list can name it. `peerUrl` lets a test put a fault proxy on a link
 * (it may start the proxy first: it is awaited).
 */
export async function startSites(
  specs: readonly SiteSpec[],
  opts: { ports?: readonly number[]; peerUrl?: (from: string, to: string, port: number) => string | Promise<string>; gateway?: GatewayOptions } = {},
): Promise<TestGateway[]> {
  const ports = opts.ports ?? (await Promise.all(specs.map(() => freePort())));
  const url = async (from: string, to: string, i: number) => (await opts.peerUrl?.(from, to, ports[i]!)) ?? `http://127.0.0.1:${ports[i]}`;
  const peers = await Promise.all(
    specs.map((s, i) =>
      Promise.all(specs.flatMap((p, j) => (j === i ? [] : [url(s.siteId, p.siteId, j).then((u) => ({ siteId: p.siteId, url: u, secret: pairSecret(s.siteId, p.siteId) }))]))),
    ),
  );
  // A site without points names the one that holds it (config/site-topology.ts refuses it otherwise).
  const pointsSite = specs.find((s) => !s.capabilities || s.capabilities.includes('points'))?.siteId;
  return Promise.all(
    specs.map((s, i) =>
      startGateway({
        // Several gateways start at once: 15 s is not enough on a busy 2-core box.
        startTimeoutMs: 60_000,
        ...opts.gateway,
        config: {
          siteId: s.siteId,
          siteNumber: s.siteNumber,
          ...(s.capabilities ? { capabilities: s.capabilities } : {}),
          ...(pointsSite && s.capabilities && !s.capabilities.includes('points') ? { pointsSite } : {}),
          // Generous deadline: these tests are about replication, on a box that may be busy.
          http: { host: '127.0.0.1', port: ports[i], requestDeadlineMs: 10_000 },
          peers: peers[i],
          sync: { pollIntervalMs: 50, backoffCapMs: 1000, breakerOpenMs: 500 },
          ...s.config,
        },
      }),
    ),
  );
}

/**
 * Starts a site again on its own database, port, peers and Redis prefix (after a kill -9 or a
 * stop with `keepData`); it gets fresh API keys.
 */
export async function restartSite(gw: TestGateway): Promise<TestGateway> {
  const { auth: _keys, ...config } = gw.config;
  return startGateway({ config, database: gw.database, redisPrefix: gw.redisPrefix, skipMigrate: true });
}

/** Count and an order-free checksum of the check-ins a site holds (same set ⇔ same pair). */
export async function checkinDigest(gw: Pick<TestGateway, 'database'>): Promise<{ count: number; xor: string; sum: string }> {
  const c = await mysqlAdmin(gw.database);
  try {
    const [rows] = await c.query('SELECT COUNT(*) AS n, BIT_XOR(id) AS x, SUM(id MOD 1000003) AS s FROM checkins');
    const r = (rows as Array<{ n: number | string; x: string; s: string | null }>)[0]!;
    return { count: Number(r.n), xor: String(r.x), sum: String(r.s ?? 0) };
  } finally {
    await c.end();
  }
}

/** Polls `probe` until it returns true or `timeoutMs` passes; returns whether it did. */
export async function eventually(probe: () => Promise<boolean>, timeoutMs: number, everyMs = 100): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    if (await probe().catch(() => false)) return true;
    if (Date.now() >= until) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** The value of one Prometheus sample whose labels include `labels` (any order); null if absent. */
export function metricValue(text: string, name: string, labels: Record<string, string>): number | null {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const body = line.slice(name.length + 1, line.lastIndexOf('}'));
    if (Object.entries(labels).every(([k, v]) => body.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return null;
}
