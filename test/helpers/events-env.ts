import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { parseConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { CheckIn, Channel } from '../../src/core/checkin.js';
import { eventsOwedHere, type Capability } from '../../src/core/events.js';
import { IdGenerator } from '../../src/core/ids.js';
import { LocalCalendar } from '../../src/core/time.js';
import { GroupCommitWriter, type CommittedRow } from '../../src/store/mysql/checkin-writer.js';
import { migrate } from '../../src/store/mysql/migrate.js';
import { createMysqlPool, type MysqlPool } from '../../src/store/mysql/pool.js';
import { deleteRedisPrefix, dropDatabase, MYSQL, REDIS, uniqueName } from './env.js';
import { merge } from './gateway-process.js';


export interface EventsEnv {
  readonly config: Config;
  readonly rawConfig: Record<string, unknown>;
  readonly database: string;
  readonly prefix: string;
  readonly dir: string;
  readonly notifyFile: string;
  /** Main-thread style pool (multi-statement: the writer needs it). */
  readonly db: MysqlPool;
  /** Redis without a prefix: tests name full keys (`env.key('lb:global')`). */
  readonly redis: Redis;
  readonly writer: GroupCommitWriter;
  /** Everything the writer committed, in order. */
  readonly committed: CommittedRow[];
  key(relative: string): string;
  addVenue(id: string, city: string, name?: string): Promise<void>;
  checkIn(msisdn: string, venueId: string, at: number, channel?: Channel, city?: string): Promise<CheckIn>;
  cleanup(): Promise<void>;
}



/** A unique database (migrated) and Redis prefix, a real group-commit writer, a file notifier. */
export async function createEventsEnv(overrides: Record<string, unknown> = {}): Promise<EventsEnv> {
  const database = uniqueName('hg_ev');
  const prefix = `${database}:`;
  const dir = mkdtempSync(join(tmpdir(), 'hg-events-'));
  const notifyFile = join(dir, 'notifications.jsonl');
  const rawConfig = merge(
    {
      siteId: 'test',
      siteNumber: 3,
      timeZone: 'Africa/Nairobi',
      mysql: { ...MYSQL, database, connectionLimit: 4 },
      redis: { local: { ...REDIS, keyPrefix: prefix }, readModel: { ...REDIS, keyPrefix: prefix, commandTimeoutMs: 2000 } },
      notify: { sink: { type: 'file', path: notifyFile }, claimTimeoutMs: 1000 },
      pool: { threads: 2, backoffBaseMs: 50, backoffMaxMs: 200, maxAttempts: 3, recoveryIntervalMs: 200, recoveryGraceMs: 0, batchMaxWaitMs: 2 },
      log: { level: 'silent' },
    },
    overrides,
  );
  const config = parseConfig(rawConfig);
  await migrate(config.mysql);
  const db = createMysqlPool(config.mysql, { multipleStatements: true });
  const redis = new Redis({ ...REDIS, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const calendar = new LocalCalendar(config.timeZone);
  const caps = new Set<Capability>(config.capabilities as Capability[]);
  const writer = new GroupCommitWriter(
    db,
    new IdGenerator(config.siteNumber),
    calendar,
    {
      siteId: config.siteId,
      owedMask: eventsOwedHere(caps, true),
      replicate: false,
      maxWaitMs: 1,
      maxBatchRows: 256,
      maxConcurrentBatches: 2,
      maxQueuedRows: 100_000,
      queryTimeoutMs: 10_000,
      recentKeys: 1000,
    },
    { batchCommitted() {}, batchFailed() {}, keyReplayed() {} },
  );
  const committed: CommittedRow[] = [];
  writer.subscribe({ committed: (rows) => void committed.push(...rows) });
  let seq = 0;
  return {
    config,
    rawConfig,
    database,
    prefix,
    dir,
    notifyFile,
    db,
    redis,
    writer,
    committed,
    key: (relative) => prefix + relative,
    async addVenue(id, city, name = `Venue ${id}`) {
      await db.query('INSERT INTO venues (id, name, city, open, version, updated_at) VALUES (?, ?, ?, 1, 1, ?)', [id, name, city, Date.now()]);
    },
    async checkIn(msisdn, venueId, at, channel = 'app', city = 'Nairobi') {
      const outcome = await writer.commit(
        { msisdn, venueId, channel, clientId: 'test', requestKey: `k${seq++}`, requestHash: null, at },
        city,
      );
      if (outcome.kind === 'unavailable' || outcome.kind === 'unknown') throw new Error(`check-in not written: ${outcome.reason}`);
      return outcome.checkIn;
    },
    async cleanup() {
      await db.end();
      redis.disconnect();
      await dropDatabase(database);
      await deleteRedisPrefix(prefix);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
