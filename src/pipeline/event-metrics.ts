import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { EVENT_TYPES, type EventType } from '../core/events.js';

/** Figures of post-processing: backlog, throughput and failures per event, lag. */
export class EventMetrics {
  readonly pending: Gauge;
  readonly deadLetters: Gauge;
  readonly pendingEvents: Gauge<'event'>;
  readonly deadLetterEvents: Gauge<'event'>;
  readonly buffered: Gauge;
  readonly inFlight: Gauge;
  readonly dispatched: Counter<'event'>;
  readonly handled: Counter<'event'>;
  readonly failed: Counter<'event' | 'code'>;
  readonly parked: Counter<'event'>;
  readonly handlerSeconds: Counter<'event'>;
  readonly tasks: Counter<'outcome'>;
  readonly lag: Histogram;
  private readonly dispatchedBy: Map<EventType, Counter.Internal>;
  private readonly handledBy: Map<EventType, Counter.Internal>;

  constructor(registry: Registry) {
    const registers = [registry];
    this.pending = new Gauge({ name: 'hopgate_events_pending_checkins', help: 'Check-ins with at least one event pending (MySQL, sampled each recovery pass)', registers });
    this.deadLetters = new Gauge({ name: 'hopgate_events_dead_letter_checkins', help: 'Check-ins with at least one event parked as a dead letter (sampled)', registers });
    this.pendingEvents = new Gauge({ name: 'hopgate_events_pending', help: 'Events pending by event (MySQL, sampled each recovery pass)', labelNames: ['event'], registers });
    this.deadLetterEvents = new Gauge({ name: 'hopgate_events_dead_letters', help: 'Events parked as dead letters by event (sampled)', labelNames: ['event'], registers });
    this.buffered = new Gauge({ name: 'hopgate_events_buffered_checkins', help: 'Committed check-ins waiting in the dispatcher for pool capacity', registers });
    this.inFlight = new Gauge({ name: 'hopgate_events_inflight_batches', help: 'Batches handed to the pool and not finished', registers });
    this.dispatched = new Counter({ name: 'hopgate_events_dispatched_total', help: 'Events handed to the pool', labelNames: ['event'], registers });
    this.handled = new Counter({ name: 'hopgate_events_handled_total', help: 'Events completed', labelNames: ['event'], registers });
    this.failed = new Counter({ name: 'hopgate_events_failed_total', help: 'Failed event attempts by error code', labelNames: ['event', 'code'], registers });
    this.parked = new Counter({ name: 'hopgate_events_dead_lettered_total', help: 'Events parked as dead letters after their last attempt', labelNames: ['event'], registers });
    this.handlerSeconds = new Counter({ name: 'hopgate_events_handler_seconds_total', help: 'Time spent in each handler (per-handler cost)', labelNames: ['event'], registers });
    this.tasks = new Counter({ name: 'hopgate_events_batches_total', help: 'Pool batches by outcome (ok, failed, lost)', labelNames: ['outcome'], registers });
    this.lag = new Histogram({
      name: 'hopgate_events_lag_seconds',
      help: 'From the check-in commit to all its events handled',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30, 60, 300],
      registers,
    });
    this.dispatchedBy = new Map(EVENT_TYPES.map((e) => [e, this.dispatched.labels(e)]));
    this.handledBy = new Map(EVENT_TYPES.map((e) => [e, this.handled.labels(e)]));
  }

  countDispatched(event: EventType, n: number): void {
    if (n > 0) this.dispatchedBy.get(event)?.inc(n);
  }

  countHandled(event: EventType, n: number): void {
    if (n > 0) this.handledBy.get(event)?.inc(n);
  }
}
