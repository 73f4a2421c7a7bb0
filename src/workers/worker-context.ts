import { createLogger, type Logger } from '../observability/logger.js';
import type { Redis } from 'ioredis';
import type { Pool } from 'mysql2/promise';
import type { Config } from '../config/schema.js';
import { EVENT_BIT, type Capability } from '../core/events.js';
import type { NotifierPort } from '../core/ports/notifier.port.js';
import { createNotifier } from '../notify/create-notifier.js';
import { createMysqlPool } from '../store/mysql/pool.js';
import { connectRedis, createRedis } from '../store/redis/client.js';
import { defineScript } from '../store/redis/scripts.js';
import { NotificationOutbox } from './notification-outbox.js';

/** ioredis with the scripts the handlers run (defined once per connection, run by EVALSHA). */
export interface HandlerRedis extends Redis {
  /** lb-apply-n.lua: `numKeys` (4 per user), the keys, then updatedAt, week TTL and 8 values per user. */
  lbApply(numKeys: number, ...keysAndArgs: Array<string | number>): Promise<number>;
  /** skipper-set-n.lua: `numKeys`, the hashes, then msisdn ('' deletes), days, since per hash. */
  skipperSet(numKeys: number, ...keysAndArgs: Array<string | number>): Promise<number>;
}

/** Everything a handler needs; one per worker thread, created from `workerData`. */
export interface WorkerContext {
  readonly config: Config;
  readonly mysql: Pool;
  readonly redis: HandlerRedis;
  readonly notifier: NotifierPort;
  readonly outbox: NotificationOutbox;
  readonly log: Logger;
  /** Whether this site runs points (decides whether dependent events wait for points.award). */
  readonly pointsHere: boolean;
  close(): Promise<void>;
}

export async function createWorkerContext(config: Config): Promise<WorkerContext> {
  const log = createLogger(config.log.level, { site: config.siteId, thread: 'events' });
  const mysql = createMysqlPool(config.mysql, { connectionLimit: config.pool.workerMysqlConnections });
  // A batch that waits long on another's row locks should fail and be retried, not stall
  // its worker for InnoDB's default 50 s.
  mysql.pool.on('connection', onConnection);
  const redis = createRedis(config.redis.readModel, `${config.siteId}-events`);
  defineScript(redis, 'lbApply', 'lb-apply-n.lua');
  defineScript(redis, 'skipperSet', 'skipper-set-n.lua');
  await connectRedis(redis);
  const notifier = createNotifier(config.notify.sink, log);
  const outbox = new NotificationOutbox(mysql, notifier, config.notify.claimTimeoutMs);
  const caps = new Set<Capability>(config.capabilities as Capability[]);
  return {
    config,
    mysql,
    redis: redis as HandlerRedis,
    notifier,
    outbox,
    log,
    pointsHere: caps.has('points'),
    async close() {
      await notifier.close();
      redis.disconnect();
      await mysql.end();
    },
  };
}

export const POINTS_BIT = EVENT_BIT['points.award'];

/** (The pool itself sets READ COMMITTED on every connection: store/mysql/pool.ts.) */
function onConnection(conn: { query(sql: string, cb: () => void): unknown }): void {
  conn.query(`SET SESSION innodb_lock_wait_timeout = ${LOCK_WAIT_TIMEOUT_SEC}`, ignore);
  // MariaDB rewrites an IN list of 1000+ values (a full batch's ids) into a join with a
  // derived table; on a growing table with stale statistics that plan scans the whole index
  // (measured: 75 ms instead of 3 ms for a batch's ledger look-up). Session only.
  conn.query('SET SESSION in_predicate_conversion_threshold = 0', ignore);
}

function ignore(): void {}

const LOCK_WAIT_TIMEOUT_SEC = 5;
