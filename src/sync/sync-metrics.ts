import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { SyncStatus } from './thread-protocol.js';

/**
 * Replication figures. Sending side: refreshed from the sync thread's status at scrape time
 * (lag, backlog, breaker per peer; counters advanced by what changed since the last scrape).
 * Receiving side: counted by the route as batches arrive.
 */
export class SyncMetrics {
  private readonly lag: Gauge<'peer'>;
  private readonly backlog: Gauge<'peer'>;
  private readonly backlogEntries: Gauge<'peer'>;
  private readonly breakerOpen: Gauge<'peer'>;
  private readonly leader: Gauge;
  private readonly sent: Counter<'peer'>;
  private readonly retries: Counter<'peer'>;
  private readonly rejected: Counter<'peer'>;
  readonly received: Counter<'origin' | 'outcome'>;
  readonly refused: Counter<'code'>;
  readonly applyLag: Histogram<'origin'>;
  private readonly seen = new Map<string, { sent: number; retries: number; rejected: number }>();

  constructor(registry: Registry) {
    const r = [registry];
    this.lag = new Gauge({ name: 'hopgate_sync_lag_seconds', help: 'Age of the oldest record not yet acknowledged by the peer (0 when caught up)', labelNames: ['peer'], registers: r });
    this.backlog = new Gauge({ name: 'hopgate_sync_backlog', help: 'Records (check-ins, venues) not yet acknowledged by the peer', labelNames: ['peer'], registers: r });
    this.backlogEntries = new Gauge({ name: 'hopgate_sync_backlog_entries', help: 'Replication log entries not yet acknowledged by the peer', labelNames: ['peer'], registers: r });
    this.breakerOpen = new Gauge({ name: 'hopgate_sync_breaker_open', help: '1 while the circuit breaker towards the peer is open or half-open', labelNames: ['peer'], registers: r });
    this.leader = new Gauge({ name: 'hopgate_sync_leader', help: '1 when this process sends for its site (holds the sender lock)', registers: r });
    this.sent = new Counter({ name: 'hopgate_sync_sent_records_total', help: 'Records acknowledged by the peer', labelNames: ['peer'], registers: r });
    this.retries = new Counter({ name: 'hopgate_sync_retries_total', help: 'Failed attempts to send a batch to the peer', labelNames: ['peer'], registers: r });
    this.rejected = new Counter({ name: 'hopgate_sync_rejected_records_total', help: 'Records the peer refused (parked as sync dead letters)', labelNames: ['peer'], registers: r });
    this.received = new Counter({ name: 'hopgate_sync_received_entries_total', help: 'Log entries received from peers: applied or duplicate', labelNames: ['origin', 'outcome'], registers: r });
    this.refused = new Counter({ name: 'hopgate_sync_refused_batches_total', help: 'Batches refused whole (signature, window, peer, shape, store)', labelNames: ['code'], registers: r });
    this.applyLag = new Histogram({
      name: 'hopgate_sync_apply_lag_seconds',
      help: 'From a check-in at its origin to its commit here',
      labelNames: ['origin'],
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers: r,
    });
  }

  update(status: SyncStatus): void {
    this.leader.set(status.leader ? 1 : 0);
    for (const p of status.peers) {
      this.lag.labels(p.peer).set(p.lagSeconds);
      this.backlog.labels(p.peer).set(p.backlogRecords);
      this.backlogEntries.labels(p.peer).set(p.backlogEntries);
      this.breakerOpen.labels(p.peer).set(p.breaker === 'closed' ? 0 : 1);
      const before = this.seen.get(p.peer) ?? { sent: 0, retries: 0, rejected: 0 };
      // A restarted sync thread starts its counters at 0: count from there.
      const delta = (now: number, then: number) => (now >= then ? now - then : now);
      this.sent.labels(p.peer).inc(delta(p.sentRecords, before.sent));
      this.retries.labels(p.peer).inc(delta(p.retries, before.retries));
      this.rejected.labels(p.peer).inc(delta(p.rejectedRecords, before.rejected));
      this.seen.set(p.peer, { sent: p.sentRecords, retries: p.retries, rejected: p.rejectedRecords });
    }
  }
}
