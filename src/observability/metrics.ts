import * as hdr from 'hdr-histogram-js';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Seconds; sub-millisecond buckets because the check-in path aims at a few ms. */
const LATENCY_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

const OPS_ROUTES = new Set(['/healthz', '/readyz', '/metrics', '/admin/latency', '/dashboard']);

/**
 * Every figure the process exports, on one registry (no global default registry). Other
 * components register their own metrics on `registry`.
 */
export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'route' | 'status'>;
  readonly httpDuration: Histogram<'route' | 'status'>;
  readonly writerBatchRows: Histogram;
  readonly writerBatchSeconds: Histogram;
  readonly writerFailures: Counter<'reason'>;
  readonly writerKeyReplays: Counter<'source'>;
  readonly writerQueue: Gauge;
  readonly readModelErrors: Counter<'op'>;
  /** Server-side request latency in µs for benchmarks (autocannon only has 1 ms resolution). */
  readonly latencyUs = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 3 });
  /** The same, since the dashboard's last period (it reads and resets it once a second). */
  readonly recentLatencyUs = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 2 });
  private readonly children = new Map<string, { count: Counter.Internal; duration: Histogram.Internal<'route' | 'status'> }>();

  constructor(labels: { site: string }) {
    this.registry.setDefaultLabels({ site: labels.site });
    collectDefaultMetrics({ register: this.registry, prefix: 'hopgate_' });
    const r = [this.registry];
    this.httpRequests = new Counter({ name: 'hopgate_http_requests_total', help: 'HTTP requests by route and status', labelNames: ['route', 'status'], registers: r });
    this.httpDuration = new Histogram({
      name: 'hopgate_http_request_duration_seconds',
      help: 'HTTP request latency by route and status, from first byte to reply',
      labelNames: ['route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers: r,
    });
    this.writerBatchRows = new Histogram({
      name: 'hopgate_writer_batch_rows',
      help: 'Check-ins per group-commit transaction',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
      registers: r,
    });
    this.writerBatchSeconds = new Histogram({
      name: 'hopgate_writer_batch_seconds',
      help: 'Group-commit transaction time, from gathering to COMMIT returned',
      buckets: LATENCY_BUCKETS,
      registers: r,
    });
    this.writerFailures = new Counter({ name: 'hopgate_writer_failed_batches_total', help: 'Group-commit transactions that failed', labelNames: ['reason'], registers: r });
    this.writerKeyReplays = new Counter({
      name: 'hopgate_writer_key_replays_total',
      help: 'Keyed check-ins answered as replays of an earlier commit, by source (memory: recent keys; mysql: after meeting the unique key)',
      labelNames: ['source'],
      registers: r,
    });
    this.writerQueue = new Gauge({ name: 'hopgate_writer_queued_checkins', help: 'Check-ins waiting for a transaction', registers: r });
    this.readModelErrors = new Counter({ name: 'hopgate_read_model_errors_total', help: 'Read-model (Redis) operations that failed', labelNames: ['op'], registers: r });
  }

  /** Records one finished HTTP request. Label children are cached: no per-request label hashing. */
  observeRequest(route: string, status: number, seconds: number): void {
    const key = route + ' ' + status;
    let c = this.children.get(key);
    if (!c) {
      const s = String(status);
      c = { count: this.httpRequests.labels(route, s), duration: this.httpDuration.labels(route, s) };
      this.children.set(key, c);
    }
    c.count.inc();
    c.duration.observe(seconds);
    // Probes, scrapes and admin calls would blur the figure the benchmarks read.
    if (!OPS_ROUTES.has(route)) {
      const us = Math.max(1, Math.round(seconds * 1e6));
      this.latencyUs.recordValue(us);
      this.recentLatencyUs.recordValue(us);
    }
  }

  latencySummary(): { count: number; p50Ms: number; p90Ms: number; p99Ms: number; p999Ms: number; maxMs: number } {
    const h = this.latencyUs;
    return {
      count: h.totalCount,
      p50Ms: h.getValueAtPercentile(50) / 1000,
      p90Ms: h.getValueAtPercentile(90) / 1000,
      p99Ms: h.getValueAtPercentile(99) / 1000,
      p999Ms: h.getValueAtPercentile(99.9) / 1000,
      maxMs: h.maxValue / 1000,
    };
  }
}
