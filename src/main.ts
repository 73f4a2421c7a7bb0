import type { Redis } from 'ioredis';
import type { Config } from './config/schema.js';
import { CheckInService } from './core/checkin-service.js';
import { eventsOwedHere, type Capability } from './core/events.js';
import { IdGenerator } from './core/ids.js';
import { LocalCalendar } from './core/time.js';
import { checkInRoutes } from './gateway/api/checkins.js';
import type { ApiDeps } from './gateway/api/deps.js';
import { opsRoutes } from './gateway/api/ops.js';
import { readRoutes } from './gateway/api/reads.js';
import { venueRoutes } from './gateway/api/venues.js';
import { ApiKeyAuth } from './gateway/auth.js';
import { RateLimiter } from './gateway/rate-limit.js';
import type { Route } from './gateway/route.js';
import { assertNativeUws, HttpServer } from './gateway/server.js';
import type { Logger } from './observability/logger.js';
import { Metrics } from './observability/metrics.js';
import { GroupCommitWriter } from './store/mysql/checkin-writer.js';
import { createMysqlPool, type MysqlPool } from './store/mysql/pool.js';
import { UserRepository } from './store/mysql/user-repository.js';
import { VenueRepository } from './store/mysql/venue-repository.js';
import { connectRedis, createRedis } from './store/redis/client.js';
import { RedisReadModel } from './store/redis/read-model.js';
import { VenueCache } from './store/venue-cache.js';
import { SmsHandler } from './gateway/sms/sms-handler.js';
import { smsRoutes } from './gateway/sms/sms-routes.js';
import { CoreUssdServices } from './gateway/ussd/core-ussd-services.js';
import { UssdDialog } from './gateway/ussd/dialog.js';
import { RedisSessionStore } from './gateway/ussd/redis-session-store.js';
import { UssdEngine } from './gateway/ussd/ussd-engine.js';
import { UssdMetrics } from './gateway/ussd/ussd-metrics.js';
import { ussdRoutes } from './gateway/ussd/ussd-routes.js';

/** Points a rewarded check-in earns by the base rule, shown as provisional in replies. */
const PROVISIONAL_BASE_POINTS = 10;

export interface RunningGateway {
  readonly port: number;
  /** Graceful stop: readiness false, stop listening, finish in-flight work, close. */
  stop(): Promise<void>;
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

  const venueRepo = new VenueRepository(pool, config.mysql.queryTimeoutMs);
  const venues = new VenueCache(venueRepo);
  try {
    log.info({ venues: await venues.refresh() }, 'venues loaded');
  } catch (e) {
    log.error({ err: (e as Error).message }, 'cannot load venues at start-up; retrying in the background');
  }
  venues.start(2000, (e) => log.warn({ err: (e as Error).message }, 'venue refresh failed'));

  const writer = new GroupCommitWriter(
    pool,
    new IdGenerator(config.siteNumber),
    calendar,
    {
      siteId: config.siteId,
      owedMask: eventsOwedHere(capabilities, true),
      peers: config.peers.map((p) => p.siteId),
      maxWaitMs: config.writer.maxWaitMs,
      maxBatchRows: config.writer.maxBatchRows,
      maxConcurrentBatches: config.writer.maxConcurrentBatches,
      maxQueuedRows: config.writer.maxQueuedRows,
      queryTimeoutMs: config.mysql.queryTimeoutMs,
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
    },
  );
  const readModel = new RedisReadModel(redisReadModel, calendar);
  const checkIns = new CheckInService({
    store: writer,
    readModel,
    venues,
    defaultCountryCode: config.defaultCountryCode,
    provisionalPoints: (rewarded) => (rewarded ? PROVISIONAL_BASE_POINTS : 0),
  });

  let draining = false;
  const deps: ApiDeps = {
    siteId: config.siteId,
    defaultCountryCode: config.defaultCountryCode,
    checkIns,
    readModel,
    venues,
    venueRepo,
    users: new UserRepository(pool, config.mysql.queryTimeoutMs),
    metrics,
    probes: { mysql: () => pingMysql(pool, config.mysql.queryTimeoutMs), redis: () => pingRedis(redisLocal, redisReadModel) },
    beforeScrape: () => metrics.writerQueue.set(writer.queued),
    isDraining: () => draining,
  };
  const routes: Route[] = [
    ...opsRoutes(deps),
    ...checkInRoutes(deps),
    ...readRoutes(deps),
    ...venueRoutes(deps),
    ...channelRoutes(config, capabilities, deps, redisLocal, log),
  ];
  const server = new HttpServer(
    config.http,
    {
      auth: new ApiKeyAuth(config.auth.apiKeys),
      rateLimiter: new RateLimiter(config.limits.clientRatePerSec, config.limits.clientBurst),
      onFinished: (routeName, status, seconds) => metrics.observeRequest(routeName, status, seconds),
      onError: (e, ctx) => log.error({ err: e, route: ctx.route.name }, 'unhandled error in handler'),
    },
    routes,
  );
  const port = await server.listen();
  log.info({ port, host: config.http.host, capabilities: [...capabilities] }, 'listening');

  return {
    port,
    async stop() {
      if (draining) return;
      draining = true;
      log.info('draining');
      await server.stop(config.http.drainTimeoutMs);
      await writer.drain();
      venues.stop();
      server.close();
      await Promise.allSettled([redisLocal.quit(), redisReadModel.quit(), pool.end()]);
      log.info('stopped');
    },
  };
}

/** USSD and SMS front ends, at sites with the `ussd` / `sms` capability. */
function channelRoutes(config: Config, capabilities: ReadonlySet<Capability>, deps: ApiDeps, redisLocal: Redis, log: Logger): Route[] {
  if (!capabilities.has('ussd') && !capabilities.has('sms')) return [];
  const services = new CoreUssdServices({
    checkIns: deps.checkIns,
    readModel: deps.readModel,
    venues: deps.venues,
    cityOf: async (msisdn) => (await deps.users.get(msisdn))?.city ?? null,
    defaultCountryCode: config.defaultCountryCode,
    onBusy: (op, reason) => log.warn({ op, reason }, 'ussd/sms dependency unavailable; answered busy'),
  });
  const routes: Route[] = [];
  if (capabilities.has('ussd')) {
    const dialog = new UssdDialog(services, { serviceCode: config.ussd.serviceCode });
    // The local Redis client applies redis.local.keyPrefix itself.
    const sessions = new RedisSessionStore(redisLocal, { keyPrefix: '', ttlMs: config.ussd.sessionTtlSec * 1000 });
    const engine = new UssdEngine(dialog, sessions, {
      serviceCode: config.ussd.serviceCode,
      defaultLanguage: config.ussd.defaultLanguage,
      defaultCountryCode: config.defaultCountryCode,
      resendWindowMs: config.ussd.resendWindowMs,
      onError: (where, e) => log.warn({ where, err: (e as Error).message }, 'ussd session store failed; answered busy'),
    });
    const ussdMetrics = new UssdMetrics(deps.metrics.registry);
    routes.push(
      ...ussdRoutes({
        config: config.ussd,
        engine,
        dialog,
        onOutcome: (d, o) => ussdMetrics.count(d, o),
        onRejected: (dialect, kind, reason) => log.info({ dialect, kind, reason }, 'ussd request not usable'),
      }),
    );
  }
  if (capabilities.has('sms')) {
    routes.push(...smsRoutes({ config: config.sms, handler: new SmsHandler(services, { serviceCode: config.ussd.serviceCode }) }));
  }
  return routes;
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
