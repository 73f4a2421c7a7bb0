import type { Venue } from '../../core/checkin.js';
import type { CommittedCheckIn } from '../../core/ports/commit-feed.port.js';
import type { ReplicationLogPort } from '../../core/ports/replication-log.port.js';
import type { Logger } from '../../observability/logger.js';
import { HEADER_ORIGIN, HEADER_SIGNATURE, HEADER_TIMESTAMP, SYNC_PATH } from '../../sync/protocol.js';
import type { SyncMetrics } from '../../sync/sync-metrics.js';
import type { SyncRuntime } from '../../sync/sync-runtime.js';
import { LogSampler } from '../../util/log-sampler.js';
import type { HttpContext } from '../http-context.js';
import { route, type Route } from '../route.js';

export interface SyncRouteDeps {
  /** Null at a site without peers: the routes answer SYNC_DISABLED. */
  readonly sync: SyncRuntime | null;
  readonly metrics: SyncMetrics | null;
  readonly log: ReplicationLogPort;
  readonly peers: readonly string[];
  readonly maxBatchBytes: number;
  readonly requestTimeoutMs: number;
  /** Check-ins that arrived by sync, for the event pipeline. */
  readonly announce: (rows: readonly CommittedCheckIn[]) => void;
  readonly venueChanged: (venue: Venue) => void;
  readonly logger: Logger;
  /** Extra sections of GET /admin/sync (the read model's replica link). */
  readonly extraStatus?: () => Record<string, unknown>;
}

/** The receiving endpoint of replication and the operators' view of it. */
export function syncRoutes(deps: SyncRouteDeps): Route[] {
  const sampler = new LogSampler(10);
  return [
    route('post', SYNC_PATH, (ctx) => receiveBatch(ctx, deps, sampler), {
      auth: 'none',
      unlimited: true,
      name: SYNC_PATH,
      headers: [HEADER_ORIGIN, HEADER_TIMESTAMP, HEADER_SIGNATURE],
      maxBodyBytes: deps.maxBatchBytes,
      deadlineMs: deps.requestTimeoutMs,
      remoteAddress: true,
    }),
    route('get', '/admin/sync', (ctx) => syncStatus(ctx, deps), { auth: 'admin', unlimited: true }),
  ];
}

async function receiveBatch(ctx: HttpContext, deps: SyncRouteDeps, sampler: LogSampler): Promise<void> {
  if (deps.sync === null) return void ctx.error('SYNC_DISABLED');
  const origin = ctx.header(HEADER_ORIGIN) ?? '';
  const reply = await deps.sync.receive(origin, ctx.header(HEADER_TIMESTAMP) ?? '', ctx.header(HEADER_SIGNATURE) ?? '', ctx.body, deps.requestTimeoutMs);
  if (!reply.ok) {
    deps.metrics?.refused.labels(reply.code).inc();
    sampler.log(`refused:${reply.code}`, (suppressed) =>
      deps.logger.warn({ code: reply.code, origin: origin.slice(0, 16), from: ctx.remoteAddress, reason: reply.message, suppressed }, 'sync batch refused'),
    );
    ctx.error(reply.code, reply.message, reply.code === 'STORE_UNAVAILABLE' ? { 'Retry-After': '1' } : undefined);
    return;
  }
  if (reply.applied > 0) deps.metrics?.received.labels(origin, 'applied').inc(reply.applied);
  if (reply.duplicates > 0) deps.metrics?.received.labels(origin, 'duplicate').inc(reply.duplicates);
  for (const ms of reply.lagsMs) deps.metrics?.applyLag.labels(origin).observe(ms / 1000);
  for (const v of reply.venues) deps.venueChanged(v);
  if (reply.checkIns.length > 0) deps.announce(reply.checkIns);
  ctx.send(200, reply.body, 'application/json');
}

async function syncStatus(ctx: HttpContext, deps: SyncRouteDeps): Promise<void> {
  if (deps.sync === null) {
    ctx.json(200, { enabled: false, peers: [], ...deps.extraStatus?.() });
    return;
  }
  const status = await deps.sync.freshStatus();
  const deadLetters: Record<string, unknown> = {};
  try {
    for (const peer of deps.peers) deadLetters[peer] = await deps.log.deadLetters(peer, 20);
  } catch {
    // the status still answers without them
  }
  ctx.json(200, { enabled: true, ...status, deadLetters, ...deps.extraStatus?.() });
}
