import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CheckInService } from '../../src/core/checkin-service.js';
import type { Venue } from '../../src/core/checkin.js';
import { encodeScore, readModelKeys } from '../../src/core/leaderboard.js';
import type { ReadModelPort } from '../../src/core/ports/read-model.port.js';
import { IdGenerator } from '../../src/core/ids.js';
import { LocalCalendar } from '../../src/core/time.js';
import { GroupCommitWriter } from '../../src/store/mysql/checkin-writer.js';
import { createMysqlPool } from '../../src/store/mysql/pool.js';
import { createRedis } from '../../src/store/redis/client.js';
import { RedisReadModel } from '../../src/store/redis/read-model.js';
import { createEventsEnv, type EventsEnv } from '../helpers/events-env.js';
import { mysqlAdmin } from '../helpers/env.js';

/**
 * The check-in reply's standing is read from the real Redis read model while the real
 * writer's transaction is under way, not after it. A row lock held from another MySQL
 * session keeps the transaction open, so "during" is observable.
 */
describe('check-in standing read beside the commit', () => {
  let env: EventsEnv;
  const venue: Venue = { id: 'v-standing', name: 'Standing Cafe', city: 'Nairobi', open: true, code: null, version: 1 };
  const msisdn = '+254711220001';

  beforeAll(async () => {
    env = await createEventsEnv();
    await env.addVenue(venue.id, venue.city, venue.name);
    await env.db.query('INSERT INTO users (msisdn, home_site, city, created_at, updated_at) VALUES (?, ?, ?, 0, 0)', [msisdn, 'test', 'Nairobi']);
    await env.redis.zadd(env.key(readModelKeys.board('global', '')), encodeScore(40, Date.now()), msisdn);
  });
  afterAll(async () => {
    await env?.cleanup();
  });

  it('asks the read model once the transaction is sent, and answers only after COMMIT', async () => {
    const redis = createRedis(env.config.redis.readModel, 'standing-test');
    await redis.connect();
    const real = new RedisReadModel(redis, new LocalCalendar(env.config.timeZone));
    const asked: string[][] = [];
    const readModel: ReadModelPort = {
      standings: (m) => {
        asked.push([...m]);
        return real.standings(m);
      },
      board: (b, o) => real.board(b, o),
      skipper: (v) => real.skipper(v),
      isStale: () => real.isStale(),
    };
    const service = new CheckInService({
      store: env.writer,
      readModel,
      venues: { get: (id) => (id === venue.id ? venue : undefined), byCode: () => undefined },
      defaultCountryCode: '254',
      confirmsBySms: false,
    });
    const lock = await mysqlAdmin(env.database);
    try {
      await lock.query('START TRANSACTION');
      await lock.query('SELECT msisdn FROM users WHERE msisdn = ? FOR UPDATE', [msisdn]);

      let settled = false;
      const input = { msisdn, venueId: venue.id, channel: 'ussd', clientId: 'test', requestKey: 's1:0:1', requestHash: null, at: Date.now() } as const;
      const pending = service.checkIn(input).finally(() => (settled = true));
      const deadline = Date.now() + 5000;
      while (asked.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(asked).toEqual([[msisdn]]);
      // The transaction is still waiting for the row lock: nothing was acknowledged yet.
      await new Promise((r) => setTimeout(r, 50));
      expect(settled).toBe(false);

      await lock.query('ROLLBACK');
      const result = await pending;
      expect(result.ok).toBe(true);
      if (!result.ok) return;
      expect(result.value.replayed).toBe(false);
      expect(result.value.points).toMatchObject({ total: 40, rank: 1, stale: false });
      const [rows] = await env.db.query('SELECT COUNT(*) AS n FROM checkins WHERE request_key = ?', ['s1:0:1']);
      expect(Number((rows as Array<{ n: number | string }>)[0]!.n)).toBe(1);

      // A replay needs no transaction: its standing is read after the writer's answer.
      const again = await service.checkIn(input);
      expect(again.ok && again.value.replayed).toBe(true);
      expect(asked).toEqual([[msisdn], [msisdn]]);
    } finally {
      await lock.end();
      redis.disconnect();
    }
  });

  it('announces a check-in once, also when its batch met a key another writer committed and it was written again', async () => {
    // A second writer on the same database with no memory of keys: a gateway process beside
    // the first. Its batch holds a key the first one committed, so MySQL's unique key rolls
    // the batch back; the duplicate is answered as a replay and the other check-in goes out
    // with the next batch.
    const pool = createMysqlPool(env.config.mysql, { multipleStatements: true });
    const replays: string[] = [];
    const other = new GroupCommitWriter(
      pool,
      new IdGenerator(env.config.siteNumber + 1),
      new LocalCalendar(env.config.timeZone),
      { siteId: 'test', owedMask: 0, replicate: false, maxWaitMs: 1, maxBatchRows: 256, maxConcurrentBatches: 1, maxQueuedRows: 1000, queryTimeoutMs: 10_000, recentKeys: 0 },
      { batchCommitted() {}, batchFailed() {}, keyReplayed: (source) => replays.push(source) },
    );
    try {
      const at = Date.now();
      const cmd = (msisdn: string, requestKey: string) => ({ msisdn, venueId: venue.id, channel: 'ussd' as const, clientId: 'test', requestKey, requestHash: null, at });
      const first = await env.writer.commit(cmd('+254711220002', 'twice:0:1'), venue.city);
      expect(first.kind).toBe('committed');

      const announced = { dup: 0, fresh: 0 };
      const [dup, fresh] = await Promise.all([
        other.commit(cmd('+254711220002', 'twice:0:1'), venue.city, () => announced.dup++),
        other.commit(cmd('+254711220003', 'fresh:0:1'), venue.city, () => announced.fresh++),
      ]);
      expect(replays).toEqual(['mysql']);
      expect(dup.kind).toBe('replay');
      expect(fresh.kind).toBe('committed');
      expect(announced).toEqual({ dup: 1, fresh: 1 });
      const [rows] = await env.db.query("SELECT COUNT(*) AS n FROM checkins WHERE request_key IN ('twice:0:1', 'fresh:0:1')");
      expect(Number((rows as Array<{ n: number | string }>)[0]!.n)).toBe(2);
    } finally {
      await pool.end();
    }
  });
});
