import type { HttpContext } from '../http-context.js';
import { route, type Route } from '../route.js';
import { SourceAllowList } from '../ussd/channel-auth.js';
import type { ApiDeps } from './deps.js';

/**
 * Probes and figures for operators: liveness, readiness, Prometheus metrics. `/readyz` and
 * `/metrics` need no key (probes and scrapers rarely carry one); `allowFrom` (config
 * `http.opsAllowFrom`) limits them to the load balancer's and Prometheus's addresses.
 */
export function opsRoutes(deps: ApiDeps, allowFrom: readonly string[] = []): Route[] {
  const probe = sharedProbe(deps.probes);
  const allow = allowFrom.length === 0 ? null : new SourceAllowList(allowFrom);
  const guarded = (handle: (ctx: HttpContext) => Promise<void>) => (ctx: HttpContext) => {
    if (allow !== null && !allow.allows(ctx.remoteAddress)) return void ctx.error('SOURCE_FORBIDDEN');
    return handle(ctx);
  };
  const opts = { auth: 'none', unlimited: true, remoteAddress: allow !== null } as const;
  return [
    route('get', '/healthz', (ctx) => void ctx.json(200, { status: 'ok' }), { auth: 'none', unlimited: true }),
    route('get', '/readyz', guarded((ctx) => readyz(ctx, deps, probe)), opts),
    route('get', '/metrics', guarded((ctx) => metrics(ctx, deps)), opts),
    route('get', '/admin/latency', (ctx) => latency(ctx, deps), { auth: 'admin', unlimited: true }),
  ];
}

/**
 * `/readyz` needs no key, so anyone may call it at any rate: concurrent calls share one
 * probe. A probe per call let a flood take every MySQL connection of the main thread's
 * pool — reads answered 503, and the probes themselves timed out, so the node reported
 * itself not ready.
 */
function sharedProbe(probes: ApiDeps['probes']): () => Promise<[boolean, boolean]> {
  let pending: Promise<[boolean, boolean]> | null = null;
  return () =>
    (pending ??= Promise.all([probes.mysql(), probes.redis()]).finally(() => {
      pending = null;
    }));
}

async function readyz(ctx: HttpContext, deps: ApiDeps, probe: () => Promise<[boolean, boolean]>): Promise<void> {
  const [mysql, redis] = await probe();
  const draining = deps.isDraining();
  const ready = mysql && redis && !draining;
  ctx.json(ready ? 200 : 503, { ready, mysql, redis, draining });
}

async function metrics(ctx: HttpContext, deps: ApiDeps): Promise<void> {
  deps.beforeScrape();
  const text = await deps.metrics.registry.metrics();
  ctx.send(200, text, deps.metrics.registry.contentType);
}

/** Server-side latency percentiles (µs resolution) for benchmarks; `?reset=1` starts afresh. */
function latency(ctx: HttpContext, deps: ApiDeps): void {
  const summary = deps.metrics.latencySummary();
  if (new URLSearchParams(ctx.query).get('reset') === '1') deps.metrics.latencyUs.reset();
  ctx.json(200, summary);
}
