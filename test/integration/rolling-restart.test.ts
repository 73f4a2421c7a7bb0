import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { mysqlAdmin } from '../helpers/env.js';
import { merge, putVenue, startGateway, type TestGateway } from '../helpers/gateway-process.js';
import { keepAliveLoad } from '../helpers/keepalive-load.js';

/**
 * A port free right now. The kernel lets a second SO_REUSEPORT socket join only a port
 * that was bound by number: one picked by binding port 0 cannot be shared.
 */
function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function waitForReady(gw: TestGateway): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!gw.output().includes('"msg":"ready: MySQL and Redis reachable"')) {
    if (Date.now() > deadline) throw new Error(`gateway not ready in 60 s:\n${gw.output()}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function countStored(database: string, ids: string[]): Promise<number> {
  const c = await mysqlAdmin(database);
  try {
    let n = 0;
    for (let i = 0; i < ids.length; i += 5000) {
      const [rows] = await c.query('SELECT COUNT(*) AS n FROM checkins WHERE id IN (?)', [ids.slice(i, i + 5000)]);
      n += Number((rows as Array<{ n: number | string }>)[0]!.n);
    }
    return n;
  } finally {
    await c.end();
  }
}

// The procedure of docs/architecture.md, "Zero-downtime restart": a new process shares the
// port (http.exclusivePort: false), becomes ready, then the old one drains (SIGTERM).
describe('zero-downtime restart', () => {
  it('replaces the running process under check-in load: no failed or reset request, no lost check-in', async () => {
    // drainQuietMs at its default: the test harness shortens it for every other test.
    const shared = { http: { port: await freePort(), exclusivePort: false, drainQuietMs: 500 } };
    const old = await startGateway({ config: shared });
    let next: TestGateway | null = null;
    try {
      expect((await putVenue(old, '501', { name: 'Rolling Bar', city: 'Nairobi' })).status).toBe(201);
      const load = keepAliveLoad({
        port: old.port,
        apiKey: old.clientKey,
        venueId: '501',
        clients: 16,
        maxRequestsPerClient: 20_000,
        maxMs: 40_000,
        ratePerSec: 2500,
      });
      await new Promise((r) => setTimeout(r, 1000));

      next = await startGateway({
        database: old.database,
        redisPrefix: old.redisPrefix,
        skipMigrate: true,
        config: merge(old.config, { http: { port: old.port } }),
        // It starts while the load keeps both cores busy: a slow start is no failure here.
        startTimeoutMs: 60_000,
      });
      await waitForReady(next);
      const handoverAt = performance.now();
      expect(await old.stop({ keepData: true })).toBe(0);
      const oldGoneAt = performance.now();
      await new Promise((r) => setTimeout(r, 1000));
      load.stop();
      const result = await load.done;

      const rate = Math.round((result.ids.length / result.elapsedMs) * 1000);
      process.stdout.write(
        `rolling restart: ${result.ids.length} check-ins in ${Math.round(result.elapsedMs)} ms (${rate}/s), ` +
          `${result.closes} handed over with Connection: close, old process drained in ${Math.round(oldGoneAt - handoverAt)} ms\n`,
      );
      expect(result.failures.slice(0, 5)).toEqual([]);
      expect(result.failures.length).toBe(0);
      expect(result.closes).toBeGreaterThan(0);
      // The load went on through the handover and was served by the new process after it.
      expect(result.okAt.some((t) => t > result.elapsedMs - 500)).toBe(true);
      expect(new Set(result.ids).size).toBe(result.ids.length);
      expect(await countStored(old.database, result.ids)).toBe(result.ids.length);
    } finally {
      await next?.stop();
      await old.stop();
    }
  });
});
