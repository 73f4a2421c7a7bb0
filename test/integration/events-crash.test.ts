import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import { afterAll, describe, expect, it } from 'vitest';
import { MYSQL, REDIS } from '../helpers/env.js';
import { checkInvariants } from '../helpers/events-invariants.js';
import { putVenue, startGateway, type TestGateway } from '../helpers/gateway-process.js';

// A real gateway process (dist/cli.js serve) is killed with SIGKILL while events are pending,
// then restarted on the same database: its start-up recovery finishes the work.

const dir = mkdtempSync(join(tmpdir(), 'hg-events-crash-'));
const notifyFile = join(dir, 'notifications.jsonl');
const eventsConfig = {
  notify: { sink: { type: 'file', path: notifyFile }, claimTimeoutMs: 500 },
  pool: { enabled: true, batchMaxCheckins: 100, backoffBaseMs: 50, backoffMaxMs: 300, maxAttempts: 30, recoveryIntervalMs: 200, recoveryGraceMs: 500 },
};
let first: TestGateway | undefined;
let second: TestGateway | undefined;

afterAll(async () => {
  await first?.stop({ keepData: true, signal: 'SIGKILL' });
  await second?.stop();
  rmSync(dir, { recursive: true, force: true });
});

let accepted = 0;

async function postMany(gw: TestGateway, from: number, count: number, concurrency: number): Promise<void> {
  let next = from;
  const lane = async () => {
    while (next < from + count) {
      const i = next++;
      try {
        const r = await gw.request('POST', '/v1/checkins', { msisdn: `+2547300${String(i % 200).padStart(5, '0')}`, venueId: `C${i % 6}`, channel: 'app' });
        if (r.status === 201 || r.status === 200) accepted++;
      } catch {
        return; // the process is gone
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

describe('process killed mid-batch', () => {
  it('finishes the work after a restart without counting or notifying anything twice', async () => {
    first = await startGateway({ config: eventsConfig });
    for (let v = 0; v < 6; v++) expect((await putVenue(first, `C${v}`, { name: `Cafe ${v}`, city: v % 2 ? 'Mombasa' : 'Nairobi' })).status).toBeLessThan(300);
    const db = await mysql.createPool({ ...MYSQL, database: first.database, connectionLimit: 2, supportBigNumbers: true, bigNumberStrings: true });
    const redis = new Redis({ ...REDIS, lazyConnect: true });
    await redis.connect();
    try {
      // Kill while the pool is still working through the burst: once 500 check-ins were
      // answered and some of their events are still pending.
      const gw = first;
      const posting = postMany(gw, 0, 3000, 32);
      const until = Date.now() + 30_000;
      while (Date.now() < until) {
        await new Promise((r) => setTimeout(r, 20));
        if (accepted < 500) continue;
        const [rows] = await db.query('SELECT COUNT(*) n FROM checkin_work WHERE pending <> 0');
        if (Number((rows as Array<{ n: string }>)[0]!.n) >= 20) break;
      }
      gw.proc.kill('SIGKILL');
      await gw.exited;
      await posting;
      expect(accepted).toBeGreaterThanOrEqual(500);
      const [left] = await db.query('SELECT COUNT(*) n FROM checkin_work WHERE pending <> 0');
      const pendingAtKill = Number((left as Array<{ n: string }>)[0]!.n);
      expect(pendingAtKill).toBeGreaterThan(0);

      second = await startGateway({ config: eventsConfig, database: first.database, redisPrefix: first.redisPrefix, skipMigrate: true });
      const restartedUntil = Date.now() + 60_000;
      for (;;) {
        const [rows] = await db.query('SELECT COUNT(*) n FROM checkin_work WHERE pending <> 0');
        if (Number((rows as Array<{ n: string }>)[0]!.n) === 0) break;
        if (Date.now() > restartedUntil) throw new Error('events still pending 60 s after the restart');
        await new Promise((r) => setTimeout(r, 100));
      }
      const report = await checkInvariants({ db: db as never, redis, key: (k) => first!.redisPrefix + k, notifyFile });
      expect(report.problems).toEqual([]);
      const [[count]] = (await db.query('SELECT COUNT(*) n FROM checkins')) as unknown as [[{ n: string }]];
      // Every committed check-in has its confirmation: sent, or 'uncertain' (claimed by the killed process).
      const [[notes]] = (await db.query("SELECT COUNT(*) n FROM notification_status WHERE kind = 'checkin' AND status IN ('sent', 'uncertain')")) as unknown as [[{ n: string }]];
      expect(Number(notes.n)).toBe(Number(count.n));
    } finally {
      await db.end();
      redis.disconnect();
    }
  });
});
