// The benchmark's baselines do what bench/README.md says they do: the conventional stack
// commits a check-in (reward-day rule, idempotency key) and has its five BullMQ jobs in
// Redis before it replies, and its worker, in its own process, processes them; the
// durable-write ceiling commits a row per request; the node:http echo echoes.
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deleteRedisPrefix, dropDatabase, mysqlAdmin, REDIS, uniqueName } from '../helpers/env.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BASELINES = join(ROOT, 'bench', 'baselines');
// The bench is plain JavaScript, outside the TypeScript build: imported by path.
const load = (path: string): Promise<any> => import(pathToFileURL(join(ROOT, path)).href);

type Spawned = { proc: { kill(sig?: string): void; pid: number }; port: Promise<number>; exited: Promise<unknown> };

describe('benchmark baselines', () => {
  const database = uniqueName('hg_t_bench_baselines');
  const prefix = uniqueName('hgt:bench');
  const apiKey = 'test-key';
  const env = { DATABASE: database, REDIS_PREFIX: prefix, API_KEY: apiKey, MYSQL_SOCKET: '' };
  let spawnListening: (args: string[], env?: Record<string, string>) => Spawned;
  const started: Spawned[] = [];
  const start = async (args: string[]): Promise<number> => {
    const p = spawnListening(args, env);
    started.push(p);
    return p.port;
  };

  beforeAll(async () => {
    ({ spawnListening } = await load('bench/lib/processes.js'));
    const { createConventionalDatabase } = await load('bench/baselines/conventional/setup.js');
    await createConventionalDatabase(database, 20);
  });

  afterAll(async () => {
    for (const p of started) p.proc.kill('SIGKILL');
    await Promise.all(started.map((p) => p.exited));
    await dropDatabase(database);
    await deleteRedisPrefix(prefix);
  });

  it('conventional stack: commits the check-in and enqueues its five jobs before replying; its worker processes them', async () => {
    const port = await start([join(BASELINES, 'conventional', 'server.js')]);
    const post = async (key: string | null, body: unknown) => {
      const res = await fetch(`http://127.0.0.1:${port}/v1/checkins`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': apiKey, ...(key ? { 'idempotency-key': key } : {}) },
        body: JSON.stringify(body),
      });
      return { status: res.status, json: (await res.json()) as any };
    };
    const first = await post('k1', { msisdn: '0712000001', venueId: '100003' });
    expect(first.status).toBe(201);
    expect(first.json.checkin).toMatchObject({ msisdn: '+254712000001', venueId: '100003', rewarded: true });
    expect(first.json.points).toMatchObject({ awarded: 10, provisional: true });
    const id = first.json.checkin.id;

    // Committed and enqueued by the time the reply came: no worker runs yet.
    const db = await mysqlAdmin(database);
    const queue = new Queue('events', { connection: REDIS, prefix });
    try {
      const [rows] = await db.query('SELECT msisdn, venue_id, request_key FROM checkins WHERE id = ?', [id]);
      expect(rows).toEqual([{ msisdn: '+254712000001', venue_id: '100003', request_key: 'k1' }]);
      expect((await queue.getJobCounts('wait')).wait).toBe(5);

      // Same key and body: the same check-in (200); same key, other body: refused.
      const replay = await post('k1', { msisdn: '0712000001', venueId: '100003' });
      expect(replay.status).toBe(200);
      expect(replay.json.checkin.id).toBe(id);
      expect((await post('k1', { msisdn: '0712000002', venueId: '100003' })).json.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
      // Reward-day rule: a second check-in at the venue the same day earns nothing.
      const again = await post('k2', { msisdn: '0712000001', venueId: '100003' });
      expect(again.status).toBe(201);
      expect(again.json.checkin.rewarded).toBe(false);
      // Same validation as hopgate.
      const bad = await post(null, { msisdn: '07-12-abc', venueId: '100003' });
      expect([bad.status, bad.json.error.code, bad.json.error.field]).toEqual([422, 'VALIDATION_FAILED', 'msisdn']);
      expect((await post(null, { msisdn: '0712000001', venueId: 'nope' })).status).toBe(404);

      await start([join(BASELINES, 'conventional', 'worker.js')]);
      const deadline = Date.now() + 20_000;
      const counts = async () => {
        const [[c]] = (await db.query(
          `SELECT (SELECT COUNT(*) FROM points_ledger) AS ledger, (SELECT total FROM user_points WHERE msisdn = '+254712000001') AS total,
                  (SELECT COUNT(*) FROM notifications) AS notes, (SELECT SUM(checkins) FROM stats_minute) AS stats,
                  (SELECT days FROM skippers WHERE venue_id = '100003') AS skipperDays`,
        )) as any;
        return { ledger: Number(c.ledger), total: Number(c.total), notes: Number(c.notes), stats: Number(c.stats), skipperDays: Number(c.skipperDays) };
      };
      let seen = await counts();
      while (Date.now() < deadline && (seen.ledger < 2 || seen.notes < 2 || seen.stats < 2 || !(seen.skipperDays >= 1))) {
        await new Promise((r) => setTimeout(r, 100));
        seen = await counts();
      }
      expect(seen).toEqual({ ledger: 2, total: 10, notes: 2, stats: 2, skipperDays: 1 });
      const redis = new Redis(REDIS);
      try {
        expect(await redis.zscore(`${prefix}:board:global`, '+254712000001')).toBe('10');
      } finally {
        redis.disconnect();
      }
      const left = await queue.getJobCounts('wait', 'active', 'delayed', 'failed');
      expect(left).toEqual({ wait: 0, active: 0, delayed: 0, failed: 0 });
    } finally {
      await queue.close();
      await db.end();
    }
  });

  it('durable-write ceiling: every reply stands for a committed row, concurrent requests batched', async () => {
    const port = await start([join(BASELINES, 'durable-ceiling.js'), '0']);
    const replies = await Promise.all(
      Array.from({ length: 40 }, (_, i) => fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: `{"n":${i}}` }).then(async (r) => [r.status, await r.json()] as const)),
    );
    expect(replies.every(([s]) => s === 201)).toBe(true);
    const db = await mysqlAdmin(database);
    try {
      const [rows] = (await db.query('SELECT id, body FROM hits ORDER BY id')) as any;
      expect(rows).toHaveLength(40);
      const ids = new Set(replies.map(([, j]) => String((j as { id: number }).id)));
      expect(new Set(rows.map((r: { id: string }) => String(r.id)))).toEqual(ids);
    } finally {
      await db.end();
    }
  });

  it('node:http echo answers with the body it got', async () => {
    const port = await start([join(BASELINES, 'node-echo.js'), '0']);
    const res = await fetch(`http://127.0.0.1:${port}/echo`, { method: 'POST', body: '{"a":1}' });
    expect([res.status, await res.json()]).toEqual([201, { echo: { a: 1 } }]);
  });
});
