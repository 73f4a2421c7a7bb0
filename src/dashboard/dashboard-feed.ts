import type { Histogram as HdrHistogram } from 'hdr-histogram-js';
import type { Registry } from 'prom-client';
import type { CommitSubscriber, CommittedCheckIn } from '../core/ports/commit-feed.port.js';
import { BucketWindow } from './quantiles.js';
import type { SyncStatus, SyncStatusProvider } from './sync-status.js';
import type { TopVenues } from './top-venues.js';

/** What the page receives once a second. */
export interface DashboardSnapshot {
  readonly site: string;
  readonly at: number;
  readonly checkinsPerSec: number;
  /** By channel (`app`, `partner`, `ussd`, `sms`) and dialect (USSD vendor, `kannel`, `api`). */
  readonly byChannel: ReadonlyArray<{ channel: string; dialect: string; perSec: number }>;
  readonly errorsPerSec: number;
  /** Server-side request latency over the last period, ms (null: no request). */
  readonly latencyMs: { p50: number; p99: number; count: number } | null;
  /** null when post-processing is off here. */
  readonly events: { lagP50Ms: number | null; lagP99Ms: number | null; pending: number; buffered: number; inFlight: number; deadLetters: number } | null;
  readonly topVenues: { minutes: number; venues: ReadonlyArray<{ id: string; name: string; checkins: number }> };
  readonly sync: SyncStatus;
}

export interface DashboardFeedDeps {
  readonly site: string;
  readonly registry: Registry;
  /** Request latency recorded since the last period (µs); read and reset each period. */
  readonly recentLatencyUs: HdrHistogram;
  readonly topVenues: TopVenues;
  readonly venueName: (id: string) => string | undefined;
  readonly topVenuesMinutes: number;
  readonly topVenuesLimit: number;
  readonly syncStatus?: SyncStatusProvider;
}

const NO_PEERS: SyncStatus = { peers: [] };

/**
 * Gathers the dashboard's figures. Check-ins are counted from the writer's commit
 * announcements (one map update per row, per batch); everything else is read once per
 * period — the metrics registry, one MySQL query, the sync provider — whatever the number
 * of viewers, and only while someone watches.
 */
export class DashboardFeed implements CommitSubscriber {
  private counts = new Map<string, number>();
  private lastTick = performance.now();
  private lastErrors = -1;
  private readonly lag = new BucketWindow();
  private venues: DashboardSnapshot['topVenues']['venues'] = [];

  constructor(private readonly deps: DashboardFeedDeps) {}

  committed(rows: readonly CommittedCheckIn[]): void {
    const counts = this.counts;
    for (const row of rows) {
      const key = `${row.channel ?? '?'}\u0000${row.source ?? '?'}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }

  /** Ends the period: rates since the previous call. `full`: also the reads viewers need. */
  async tick(full: boolean): Promise<DashboardSnapshot | null> {
    const now = performance.now();
    const seconds = Math.max(0.001, (now - this.lastTick) / 1000);
    this.lastTick = now;
    const counts = this.counts;
    this.counts = new Map();
    const h = this.deps.recentLatencyUs;
    const latencyMs = h.totalCount === 0 ? null : { p50: h.getValueAtPercentile(50) / 1000, p99: h.getValueAtPercentile(99) / 1000, count: h.totalCount };
    h.reset();
    const errors = await this.serverErrors();
    const errorsPerSec = this.lastErrors < 0 ? 0 : (errors - this.lastErrors) / seconds;
    this.lastErrors = errors;
    const lag = this.lag.next(await this.buckets('hopgate_events_lag_seconds'), [0.5, 0.99]);
    if (!full) return null;

    const byChannel = new Map<string, { channel: string; dialect: string; perSec: number }>();
    let total = 0;
    for (const [key, n] of counts) {
      const [channel, source] = key.split('\u0000') as [string, string];
      const dialect = dialectOf(channel, source);
      const k = `${channel}/${dialect}`;
      const e = byChannel.get(k) ?? { channel, dialect, perSec: 0 };
      e.perSec += n / seconds;
      byChannel.set(k, e);
      total += n;
    }
    const sinceMs = Date.now() - this.deps.topVenuesMinutes * 60_000;
    const [top, sync, events] = await Promise.all([this.deps.topVenues.read(sinceMs, this.deps.topVenuesLimit), this.sync(), this.events(lag)]);
    if (top !== null) this.venues = top.map((v) => ({ id: v.venueId, name: this.deps.venueName(v.venueId) ?? v.venueId, checkins: v.checkins }));
    return {
      site: this.deps.site,
      at: Date.now(),
      checkinsPerSec: total / seconds,
      byChannel: [...byChannel.values()].sort((a, b) => b.perSec - a.perSec),
      errorsPerSec,
      latencyMs,
      events,
      topVenues: { minutes: this.deps.topVenuesMinutes, venues: this.venues },
      sync,
    };
  }

  private async sync(): Promise<SyncStatus> {
    if (!this.deps.syncStatus) return NO_PEERS;
    try {
      return await this.deps.syncStatus();
    } catch {
      return NO_PEERS;
    }
  }

  private async events(lag: number[] | null): Promise<DashboardSnapshot['events']> {
    const pending = await this.gauge('hopgate_events_pending_checkins');
    if (pending === null) return null;
    return {
      lagP50Ms: lag === null ? null : lag[0]! * 1000,
      lagP99Ms: lag === null ? null : lag[1]! * 1000,
      pending,
      buffered: (await this.gauge('hopgate_events_buffered_checkins')) ?? 0,
      inFlight: (await this.gauge('hopgate_events_inflight_batches')) ?? 0,
      deadLetters: (await this.gauge('hopgate_events_dead_letter_checkins')) ?? 0,
    };
  }

  private async gauge(name: string): Promise<number | null> {
    const m = this.deps.registry.getSingleMetric(name);
    if (!m) return null;
    const v = (await m.get()).values[0];
    return v ? v.value : 0;
  }

  private async serverErrors(): Promise<number> {
    const m = this.deps.registry.getSingleMetric('hopgate_http_requests_total');
    if (!m) return 0;
    let n = 0;
    for (const v of (await m.get()).values) if (Number(v.labels.status) >= 500) n += v.value;
    return n;
  }

  private async buckets(name: string): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    const m = this.deps.registry.getSingleMetric(name);
    if (!m) return out;
    for (const v of (await m.get()).values) {
      if (!(v as { metricName?: string }).metricName?.endsWith('_bucket')) continue;
      const le = v.labels.le;
      out.set(le === '+Inf' ? Infinity : Number(le), v.value);
    }
    return out;
  }
}

/** `ussd:hubtel` → `hubtel`, `sms:kannel` → `kannel`; API clients → `api` (client ids stay out of the page). */
function dialectOf(channel: string, source: string): string {
  const colon = source.indexOf(':');
  if ((channel === 'ussd' || channel === 'sms') && colon > 0) return source.slice(colon + 1);
  return 'api';
}
