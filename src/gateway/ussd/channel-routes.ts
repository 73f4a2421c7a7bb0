import type { Redis } from 'ioredis';
import type { Config } from '../../config/schema.js';
import type { Capability } from '../../core/events.js';
import type { Logger } from '../../observability/logger.js';
import { LogSampler } from '../../util/log-sampler.js';
import type { ApiDeps } from '../api/deps.js';
import { ChannelThrottle } from '../channel-throttle.js';
import type { HttpContext } from '../http-context.js';
import { route, type Route } from '../route.js';
import { SmsHandler } from '../sms/sms-handler.js';
import { smsRoutes } from '../sms/sms-routes.js';
import { CoreUssdServices } from './core-ussd-services.js';
import { UssdDialog } from './dialog.js';
import { RedisGuard } from '../../store/redis/redis-guard.js';
import { RedisSessionStore } from './redis-session-store.js';
import { ScreenRules } from './screen.js';
import { UssdEngine } from './ussd-engine.js';
import { UssdMetrics } from './ussd-metrics.js';
import { ussdRoutes } from './ussd-routes.js';
import { DIALECTS } from './vendors/index.js';

export interface ChannelRoutesDeps {
  readonly config: Config;
  readonly capabilities: ReadonlySet<Capability>;
  /** The JSON API's dependencies: the same check-in use case, read model and venues. */
  readonly api: ApiDeps;
  /** `redis.local` (applies its key prefix itself): USSD sessions and languages. */
  readonly redisLocal: Redis;
  readonly log: Logger;
}

export interface ChannelFrontEnds {
  readonly routes: Route[];
  /** Sends the session writes still held (see `saveLater`); call before closing `redis.local`. */
  readonly drain: () => Promise<void>;
}

/**
 * Composes the USSD and SMS front ends (at sites with the `ussd` / `sms` capability) from
 * what the composition root already built. Returns their routes and their drain step.
 */
export function channelRoutes({ config, capabilities, api, redisLocal, log }: ChannelRoutesDeps): ChannelFrontEnds {
  let drain = async (): Promise<void> => {};
  const routes: Route[] = [];
  if (!capabilities.has('ussd')) routes.push(...disabledUssdRoutes());
  if (!capabilities.has('sms')) routes.push(route('get', '/sms/kannel', refuseSms, { auth: 'none', readBody: false }));
  if (!capabilities.has('ussd') && !capabilities.has('sms')) return { routes, drain };
  // These lines come per request: sampled, so an outage or a caller sending garbage cannot
  // flood the log (hopgate_ussd_replies_total counts every one).
  const sampler = new LogSampler();
  const services = new CoreUssdServices({
    checkIns: api.checkIns,
    readModel: api.readModel,
    venues: api.venues,
    cityOf: async (msisdn) => (await api.users.get(msisdn))?.city ?? null,
    defaultCountryCode: config.defaultCountryCode,
    onBusy: (op, reason) => sampler.log(`busy ${op}`, (suppressed) => log.warn({ op, reason, suppressed }, 'ussd/sms dependency unavailable; answered busy')),
  });
  if (capabilities.has('ussd')) {
    const dialog = new UssdDialog(services, { serviceCode: config.ussd.serviceCode, screen: new ScreenRules(config.ussd.screenLimits) });
    const sessions = new RedisSessionStore(redisLocal, {
      keyPrefix: '',
      ttlMs: config.ussd.sessionTtlSec * 1000,
      guard: new RedisGuard('local', config.redis.local.requestBudgetMs),
    });
    drain = () => sessions.drain();
    const engine = new UssdEngine(dialog, sessions, {
      serviceCode: config.ussd.serviceCode,
      defaultLanguage: config.ussd.defaultLanguage,
      defaultCountryCode: config.defaultCountryCode,
      resendWindowMs: config.ussd.resendWindowMs,
      onError: (where, e) => sampler.log(`session ${where}`, (suppressed) => log.warn({ where, err: (e as Error).message, suppressed }, 'ussd session store failed')),
    });
    const metrics = new UssdMetrics(api.metrics.registry);
    routes.push(
      ...ussdRoutes({
        config: config.ussd,
        engine,
        dialog,
        throttle: new ChannelThrottle(config.limits),
        onOutcome: (dialect, outcome) => metrics.count(dialect, outcome),
        onRejected: (dialect, kind, reason) => sampler.log(`rejected ${dialect}`, (suppressed) => log.info({ dialect, kind, reason, suppressed }, 'ussd request not usable')),
      }),
    );
  }
  if (capabilities.has('sms')) {
    routes.push(
      ...smsRoutes({ config: config.sms, handler: new SmsHandler(services, { serviceCode: config.ussd.serviceCode }), throttle: new ChannelThrottle(config.limits) }),
    );
  }
  return { routes, drain };
}

/**
 * At a site without the `ussd` capability every dialect's route answers 404
 * `CHANNEL_DISABLED` (as a dialect disabled in config does), so a telco pointed at the
 * wrong site is told so rather than getting a bare `NOT_FOUND`.
 */
function disabledUssdRoutes(): Route[] {
  return DIALECTS.flatMap((d) =>
    d.methods.map((m) => route(m === 'GET' ? 'get' : 'post', `/ussd/${d.name}`, refuseUssd, { auth: 'none', readBody: m === 'POST' })),
  );
}

function refuseUssd(ctx: HttpContext): void {
  ctx.error('CHANNEL_DISABLED', 'this site does not offer USSD (capability ussd)');
}

function refuseSms(ctx: HttpContext): void {
  ctx.error('CHANNEL_DISABLED', 'this site does not offer SMS (capability sms)');
}
