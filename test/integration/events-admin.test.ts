import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePoints } from '../../src/core/leaderboard.js';
import { MYSQL, REDIS } from '../helpers/env.js';
import { putVenue, runCli, startGateway, type TestGateway } from '../helpers/gateway-process.js';

// Dead letters through the admin API and the CLI, and rebuild-read-model, on a real gateway.

const dir = mkdtempSync(join(tmpdir(), 'hg-events-admin-'));
let gw: TestGateway;
let db: mysql.Pool;
let redis: Redis;

beforeAll(async () => {
  gw = await startGateway({
    config: {
      notify: { sink: { type: 'file', path: join(dir, 'notifications.jsonl') } },
      pool: { enabled: true, backoffBaseMs: 20, backoffMaxMs: 50, maxAttempts: 2, recoveryIntervalMs: 100, recoveryGraceMs: 0 },
    },
  });
  db = mysql.createPool({ ...MYSQL, database: gw.database, connectionLimit: 2, supportBigNumbers: true, bigNumberStrings: true });
  redis = new Redis({ ...REDIS, lazyConnect: true });
  await redis.connect();
});

afterAll(async () => {
  await db?.end();
  redis?.disconnect();
  await gw?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const admin = () => ({ 'x-api-key': gw.adminKey });

async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function pending(): Promise<number> {
  const [rows] = await db.query('SELECT COUNT(*) n FROM checkin_work WHERE pending <> 0');
  return Number((rows as Array<{ n: string }>)[0]!.n);
}

describe('dead letters and the read model, end to end', () => {
  it('lists a parked event, replays it once the cause is fixed, and rebuilds Redis from MySQL', async () => {
    expect((await putVenue(gw, 'A1', { name: 'Alpha', city: 'Nairobi' })).status).toBeLessThan(300);
    for (const msisdn of ['+254711000001', '+254711000002', '+254711000003']) {
      expect((await gw.request('POST', '/v1/checkins', { msisdn, venueId: 'A1' })).status).toBe(201);
    }
    // A check-in at a venue this site does not know (as if it came by sync before the venue).
    const poisonId = '9000000000000000001';
    await db.query(
      `INSERT INTO checkins (id, msisdn, venue_id, channel, site, at_ms, day, client_id) VALUES (?, '+254711000009', 'GHOST', 'app', 'test', ?, CURDATE(), 'x')`,
      [poisonId, Date.now()],
    );
    await db.query(`INSERT INTO reward_days (msisdn, venue_id, day, checkin_id) VALUES ('+254711000009', 'GHOST', CURDATE(), ?)`, [poisonId]);
    await db.query('INSERT INTO checkin_work (checkin_id, owed, pending, committed_ms) VALUES (?, 31, 31, ?)', [poisonId, Date.now()]);

    const listed = await until('a dead letter', async () => {
      const r = await gw.request('GET', '/admin/dead-letters', undefined, admin());
      return r.json?.items?.length ? r.json : null;
    });
    expect(listed.items).toEqual([
      expect.objectContaining({ checkinId: poisonId, events: ['points.award', 'leaderboard.update', 'notify.user'], attempts: 2, venueId: 'GHOST' }),
    ]);
    expect(listed.items[0].lastError).toMatch(/EVENT_VENUE_UNKNOWN/);
    await until('the good check-ins done', async () => (await pending()) === 0);

    const cli = await runCli(['dead-letters', 'list', '--config', gw.configFile, '--json']);
    expect(cli.code).toBe(0);
    expect(JSON.parse(cli.out.trim().split('\n')[0]!)).toMatchObject({ checkinId: poisonId });

    // Validation and authorisation.
    expect((await gw.request('GET', '/admin/dead-letters?limit=0', undefined, admin())).json.error.code).toBe('VALIDATION_FAILED');
    expect((await gw.request('POST', '/admin/dead-letters/replay', {}, admin())).status).toBe(422);
    expect((await gw.request('GET', '/admin/dead-letters')).status).toBe(403);

    expect((await putVenue(gw, 'GHOST', { name: 'Ghost', city: 'Mombasa' })).status).toBeLessThan(300);
    const replay = await gw.request('POST', '/admin/dead-letters/replay', { ids: [poisonId] }, admin());
    expect(replay.json).toEqual({ replayed: 1 });
    await until('the replayed events done', async () => (await pending()) === 0 && (await gw.request('GET', '/admin/dead-letters', undefined, admin())).json.items.length === 0);
    const total = Number(await redis.hget(`${gw.redisPrefix}user:+254711000009`, 'total'));
    expect(total).toBeGreaterThanOrEqual(30);

    const none = await runCli(['dead-letters', 'replay', '--config', gw.configFile, '--all']);
    expect(none.out).toContain('replayed 0');

    // Lose the read model, rebuild it from the ledger.
    const before = await redis.zrange(`${gw.redisPrefix}lb:global`, 0, -1, 'WITHSCORES');
    expect(before.length).toBe(8);
    await redis.del(`${gw.redisPrefix}lb:global`, `${gw.redisPrefix}user:+254711000009`);
    await redis.zadd(`${gw.redisPrefix}lb:city:atlantis`, 5, '+254700000000');
    const rebuilt = await runCli(['rebuild-read-model', '--config', gw.configFile, '--no-progress']);
    expect(rebuilt.code).toBe(0);
    expect(rebuilt.out).toMatch(/rebuilt: 4 users/);
    expect(await redis.zrange(`${gw.redisPrefix}lb:global`, 0, -1, 'WITHSCORES')).toEqual(before);
    expect(Number(await redis.hget(`${gw.redisPrefix}user:+254711000009`, 'total'))).toBe(total);
    expect(await redis.exists(`${gw.redisPrefix}lb:city:atlantis`)).toBe(0);
    const [ledger] = await db.query("SELECT SUM(points) s FROM points_ledger WHERE msisdn = '+254711000009'");
    expect(decodePoints(Number(await redis.zscore(`${gw.redisPrefix}lb:city:mombasa`, '+254711000009')))).toBe(Number((ledger as Array<{ s: string }>)[0]!.s));
  });
});
