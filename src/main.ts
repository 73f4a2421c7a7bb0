import type { Redis } from 'ioredis';
import type { Config } from './config/schema.js';
import { CheckInService } from './core/checkin-service.js';
import { eventsOwedHere, type Capability } from './core/events.js';
import { IdGenerator } from './core/ids.js';
import { warmUpNumberingPlans } from './core/msisdn.js';
import { LocalCalendar } from './core/time.js';
import { checkInRoutes } from './gateway/api/checkins.js';
import { deadLetterRoutes } from './gateway/api/dead-letters.js';
import type { ApiDeps } from './gateway/api/deps.js';
import { opsRoutes } from './gateway/api/ops.js';
import { readRoutes } from './gateway/api/reads.js';
import { venueRoutes } from './gateway/api/venues.js';
import { ApiKeyAuth } from './gateway/auth.js';
import { startEvents } from './pipeline/events-runtime.js';
import { DeadLetterRepository } from './store/mysql/dead-letters.js';
import { RateLimiter } from './gateway/rate-limit.js';
import type { Route } from './gateway/route.js';
import { assertNativeUws, HttpServer } from './gateway/server.js';
import { requestHooks } from './gateway/request-hooks.js';
import { startDashboard } from './dashboard/start-dashboard.js';
import type { Logger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { registerReadiness } from './observability/readiness-metric.js';
import type { Reachability } from './ops/readiness.js';
import { GroupCommitWriter } from './store/mysql/checkin-writer.js';
import { createMysqlPool, type MysqlPool } from './store/mysql/pool.js';
import { serverVersion, unsupportedServer } from './store/mysql/server-version.js';
import { UserRepository } from './store/mysql/user-repository.js';
import { VenueRepository } from './store/mysql/venue-repository.js';
import { connectRedis, createRedis } from './store/redis/client.js';
import { RedisReadModel } from './store/redis/read-model.js';
import { RedisGuard } from './store/redis/redis-guard.js';
import { ReplicaMonitor } from './store/redis/replica-status.js';
import { VenueCache } from './store/venue-cache.js';
import { channelRoutes } from './gateway/ussd/channel-routes.js';
import { checkInLookupRoutes } from './gateway/api/checkin-lookup.js';
import { syncRoutes } from './gateway/api/sync.js';
import { portRoutes } from './gateway/api/port.js';
import { MysqlReplicationLog } from './store/mysql/replication-log.js';
import { SyncMetrics } from './sync/sync-metrics.js';
import { SyncRuntime } from './sync/sync-runtime.js';

export interface RunningGateway {
  readonly port: number;
  /** Graceful stop: readiness false, stop listening, finish in-flight work, close. */
  stop(): Promise<void>;
  /** Whether MySQL and Redis answer now (start-up readiness, src/ops/readiness.ts). */
  reachable(): Promise<Reachability>;
}

/**
 * Composition root: config → adapters → core → gateway. Nothing else constructs
 * infrastructure; everything is passed down.
 */
export async function startGateway(config: Config, log: Logger): Promise<RunningGateway> {
  assertNativeUws();
  const metrics = new Metrics({ site: config.siteId });
  const calendar = new LocalCalendar(config.timeZone);
  const capabilities = new Set(config.capabilities as Capability[]);

  const pool = createMysqlPool(config.mysql, {
    connectionLimit: config.mysql.connectionLimit + config.writer.maxConcurrentBatches,
    multipleStatements: true,
  });
  const redisLocal = createRedis(config.redis.local, `hopgate-${config.siteId}-local`);
  const redisReadModel = createRedis(config.redis.readModel, `hopgate-${config.siteId}-readmodel`);
  for (const [name, r] of [['local', redisLocal], ['readModel', redisReadModel]] as const) {
    r.on('error', (e: Error) => log.warn({ redis: name, err: e.message }, 'redis error'));
    if (!(await connectRedis(r))) log.warn({ redis: name }, 'redis unreachable at start-up; figures will be stale');
  }

  // A server hopgate cannot use is refused now, not at the first check-in. An unreachable
  // one is no reason to refuse: check-ins fail fast with 503 until it is back.
  let version: string | null = null;
  try {
    version = await serverVersion((sql) => pool.query({ sql, timeout: config.mysql.queryTimeoutMs }));
  } catch (e) {
    log.error({ err: (e as Error).message }, 'cannot read the MySQL server version at start-up');
  }
  const unsupported = version === null ? null : unsupportedServer(version);
  if (unsupported !== null) {
    await Promise.allSettled([pool.end(), redisLocal.quit(), redisReadModel.quit()]);
    throw new Error(unsupported);
  }

  const venueRepo = new VenueRepository(pool, config.mysql.queryTimeoutMs, { siteId: config.siteId, replicate: config.peers.length > 0 });
  const venues = new VenueCache(venueRepo);
  try {
    log.info({ venues: await venues.refresh() }, 'venues loaded');
  } catch (e) {
    log.error({ err: (e as Error).message }, 'cannot load venues at start-up; retrying in the background');
  }
  venues.start(2000, (e) => log.warn({ err: (e as Error).message }, 'venue refresh failed'));
  warmUpNumberingPlans(config.defaultCountryCode);

  const writer = new GroupCommitWriter(
    pool,
    new IdGenerator(config.siteNumber),
    calendar,
    {
      siteId: config.siteId,
      owedMask: eventsOwedHere(capabilities, true),
      replicate: config.peers.length > 0,
      maxWaitMs: config.writer.maxWaitMs,
      maxBatchRows: config.writer.maxBatchRows,
      maxConcurrentBatches: config.writer.maxConcurrentBatches,
      maxQueuedRows: config.writer.maxQueuedRows,
      queryTimeoutMs: config.mysql.queryTimeoutMs,
      recentKeys: config.writer.recentKeys,
    },
    {
      batchCommitted: (rows, ms) => {
        metrics.writerBatchRows.observe(rows);
        metrics.writerBatchSeconds.observe(ms / 1000);
      },
      batchFailed: (rows, reason) => {
        metrics.writerFailures.labels(reason).inc();
        log.warn({ rows, reason }, 'check-in batch not written');
      },
      keyReplayed: (source) => metrics.writerKeyReplays.labels(source).inc(),
    },
  );
  // Post-processing: the pool runs the five events; the writer hands over every commit.
  const events = config.pool.enabled ? await startEvents(config, pool, metrics.registry, log) : null;
  if (events) writer.subscribe(events.dispatcher);
  else log.warn('post-processing disabled (pool.enabled: false): events wait in MySQL');
  // Replication: the sync thread sends the log the writer appends to, and applies what peers
  // send here; check-ins that arrive that way owe the events this site runs for others.
  const sync = config.peers.length > 0 ? SyncRuntime.start(config, eventsOwedHere(capabilities, false), log.child({ component: 'sync' })) : null;
  const syncMetrics = sync ? new SyncMetrics(metrics.registry) : null;
  if (sync) writer.subscribe(sync);
  // How fresh the read model is (a replica away from the points site): polled in the
  // background; its status() is what GET /admin/sync can show.
  const replica = new ReplicaMonitor(redisReadModel, config.redis.replicaCheck);
  replica.register(metrics.registry);
  await replica.start();
  if (capabilities.has('points') && replica.status().role === 'replica') {
    log.error('redis.readModel is a replica at the points site: points and boards cannot be written there; point it at the master');
  }
  const readModel = new RedisReadModel(redisReadModel, calendar, new RedisGuard('readModel', config.redis.readModel.requestBudgetMs), replica);
  const checkIns = new CheckInService({
    store: writer,
    readModel,
    venues,
    defaultCountryCode: config.defaultCountryCode,
    // The award is decided by points.award after the commit; the reply promises the SMS
    // that states it only where this site computes points and sends confirmations.
    confirmsBySms: capabilities.has('points') && capabilities.has('notify') && config.notify.sink.type !== 'log',
  });

  const replicate = config.peers.length > 0;
  const users = new UserRepository(pool, config.mysql.queryTimeoutMs, { siteId: config.siteId, replicate });
  let draining = false;
  const deps: ApiDeps = {
    defaultCountryCode: config.defaultCountryCode,
    replyCacheEntries: config.limits.replyCacheEntries,
    checkIns,
    readModel,
    venues,
    venueRepo,
    users,
    metrics,
    probes: { mysql: () => pingMysql(pool, config.mysql.queryTimeoutMs), redis: () => pingRedis(redisLocal, redisReadModel) },
    beforeScrape: () => {
      metrics.writerQueue.set(writer.queued);
      if (sync) syncMetrics?.update(sync.status);
    },
    isDraining: () => draining,
  };
  const readiness = registerReadiness(
    metrics.registry,
    async () => (await Promise.all([deps.probes.mysql(), deps.probes.redis()])).every(Boolean),
    () => draining,
  );
  const channels = channelRoutes({ config, capabilities, api: deps, redisLocal, log });
  const routes: Route[] = [
    ...opsRoutes(deps, config.http.opsAllowFrom),
    ...checkInRoutes(deps, capabilities.has('checkin')),
    ...readRoutes(deps),
    ...venueRoutes(deps),
    ...deadLetterRoutes({ deadLetters: new DeadLetterRepository(pool), recoverNow: () => void events?.dispatcher.recover(0) }),
    ...checkInLookupRoutes({ findById: (id) => writer.findById(id) }),
    ...portRoutes({ users, sites: [config.siteId, ...config.peers.map((p) => p.siteId)], defaultCountryCode: config.defaultCountryCode }),
    ...syncRoutes({
      sync,
      metrics: syncMetrics,
      log: new MysqlReplicationLog(pool, config.siteId, config.mysql.queryTimeoutMs),
      peers: config.peers.map((p) => p.siteId),
      maxBatchBytes: config.sync.maxBatchBytes,
      requestTimeoutMs: config.sync.requestTimeoutMs,
      announce: (rows) => events?.dispatcher.committed(rows),
      venueChanged: (v) => venues.put(v),
      logger: log.child({ component: 'sync' }),
      extraStatus: () => ({ readModel: replica.status() }),
    }),
    ...channels.routes,
  ];
  const auth = new ApiKeyAuth(config.auth.apiKeys);
  const dashboard = startDashboard(config, {
    pool,
    metrics,
    venues,
    auth,
    commits: writer,
    ...(sync ? { syncStatus: () => ({ peers: sync.status.peers.map((p) => ({ peer: p.peer, lagSeconds: p.lagSeconds, backlog: p.backlogRecords, breaker: p.breaker })) }) } : {}),
  });
  if (dashboard) routes.push(...dashboard.routes);
  const requests = requestHooks(config.http.trustedProxies, config.log.accessLog, metrics);
  const server = new HttpServer(
    config.http,
    {
      ...requests,
      auth,
      rateLimiter: new RateLimiter(config.limits.clientRatePerSec, config.limits.clientBurst),
      onError: (e, ctx) => log.error({ err: e, route: ctx.route.name, reqId: ctx.requestId }, 'unhandled error in handler'),
    },
    routes,
  );
  dashboard?.attach(server.uwsApp);
  const port = await server.listen();
  log.info({ port, host: config.http.host, capabilities: [...capabilities] }, 'listening');

  return {
    port,
    reachable: async () => {
      const [mysql, redis] = await Promise.all([deps.probes.mysql(), deps.probes.redis()]);
      return { mysql, redis };
    },
    async stop() {
      if (draining) return;
      draining = true;
      log.info('draining');
      dashboard?.stop();
      readiness.stop();
      await server.stop(config.http.drainTimeoutMs);
      await writer.drain();
      await sync?.drain(config.http.drainTimeoutMs);
      await events?.stop();
      await channels.drain();
      venues.stop();
      replica.stop();
      server.close();
      requests.close();
      await Promise.allSettled([redisLocal.quit(), redisReadModel.quit(), pool.end()]);
      log.info('stopped');
    },
  };
}

async function pingMysql(pool: MysqlPool, timeoutMs: number): Promise<boolean> {
  try {
    await pool.query({ sql: 'SELECT 1', timeout: timeoutMs });
    return true;
  } catch {
    return false;
  }
}

async function pingRedis(...clients: Redis[]): Promise<boolean> {
  try {
    await Promise.all(clients.map((c) => c.ping()));
    return true;
  } catch {
    return false;
  }
}
