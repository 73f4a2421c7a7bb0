import type { Config } from '../config/schema.js';
import type { CommitFeed } from '../core/ports/commit-feed.port.js';
import type { ApiKeyAuth } from '../gateway/auth.js';
import type { Metrics } from '../observability/metrics.js';
import type { MysqlPool } from '../store/mysql/pool.js';
import type { VenueCache } from '../store/venue-cache.js';
import { Dashboard } from './dashboard.js';
import { DashboardFeed } from './dashboard-feed.js';
import type { SyncStatusProvider } from './sync-status.js';
import { TopVenues } from './top-venues.js';

export interface DashboardSources {
  readonly pool: MysqlPool;
  readonly metrics: Metrics;
  readonly venues: VenueCache;
  readonly auth: ApiKeyAuth;
  readonly commits: CommitFeed;
  readonly syncStatus?: SyncStatusProvider;
}

/** The dashboard as the composition root sees it; null when `dashboard.enabled` is false. */
export function startDashboard(config: Config, s: DashboardSources): Dashboard | null {
  if (!config.dashboard.enabled) return null;
  const feed = new DashboardFeed({
    site: config.siteId,
    registry: s.metrics.registry,
    recentLatencyUs: s.metrics.recentLatencyUs,
    topVenues: new TopVenues(s.pool, config.mysql.queryTimeoutMs),
    venueName: (id) => s.venues.get(id)?.name,
    topVenuesMinutes: config.dashboard.topVenuesMinutes,
    topVenuesLimit: config.dashboard.topVenues,
    ...(s.syncStatus ? { syncStatus: s.syncStatus } : {}),
  });
  s.commits.subscribe(feed);
  return new Dashboard(feed, s.auth);
}
