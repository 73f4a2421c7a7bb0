import type { Logger } from 'pino';
import { retryDelayMs } from '../core/event-retry.js';
import { EVENT_BIT, EVENT_TYPES } from '../core/events.js';
import type { WorkStore } from '../store/mysql/work-store.js';
import type { CommitSubscriber, CommittedCheckIn } from '../core/ports/commit-feed.port.js';
import { RingBuffer } from '../util/ring-buffer.js';
import type { PoolConfig } from '../workers/pool-config.js';
import type { EventBatchReport, EventBatchResult } from '../workers/protocol.js';
import type { EventMetrics } from './event-metrics.js';
import type { EventPool } from './event-pool.js';

/** A check-in made durable with work owed, as the writer announces it. */
export type CommittedWork = CommittedCheckIn;

export interface DispatcherOptions {
  readonly pool: EventPool;
  readonly work: WorkStore;
  readonly metrics: EventMetrics;
  readonly config: PoolConfig;
  readonly log: Logger;
  /** Called with every batch report (benchmarks keep their own histograms). */
  readonly onReport?: (report: EventBatchReport) => void;
}

/**
 * Hands committed check-ins to the worker pool in batches — by count (`batchMaxCheckins`)
 * or after `batchMaxWaitMs` — never one task per event. At most `pool.capacity` batches are
 * outstanding; beyond that ids wait here (backpressure: check-ins are already durable, so
 * the gateway keeps accepting them), and beyond `maxBufferedCheckins` they are left to the
 * recovery loop, which also re-dispatches work lost in a crash and retries that fell due.
 */
export class EventDispatcher implements CommitSubscriber {
  private readonly buffer = new RingBuffer<CommittedWork>(4096);
  /** Ids buffered or in a running batch: recovery must not dispatch them twice. */
  private readonly inFlight = new Set<string>();
  private outstanding = 0;
  private timer: NodeJS.Timeout | null = null;
  private recoveryTimer: NodeJS.Timeout | null = null;
  private recovering = false;
  private recoveryWanted = false;
  private closed = false;
  private idleWaiters: Array<() => void> = [];
  /** Ids dropped because the buffer was full; recovery finds them. */
  overflowed = 0;

  constructor(private readonly o: DispatcherOptions) {}

  /** The writer calls this after every COMMIT with the rows it made durable. */
  committed(rows: readonly CommittedWork[]): void {
    if (this.closed) return;
    const max = this.o.config.maxBufferedCheckins;
    for (const row of rows) {
      if (row.owed === 0 || this.inFlight.has(row.id)) continue;
      if (this.buffer.length >= max) {
        this.overflowed++;
        this.recoveryWanted = true;
        continue;
      }
      this.buffer.push(row);
      this.inFlight.add(row.id);
    }
    this.schedule();
  }

  /** Runs a recovery pass now (start-up uses no grace: nothing of this process is in flight). */
  async start(): Promise<void> {
    await this.recover(0);
    this.recoveryTimer = setInterval(onRecoveryTimer, this.o.config.recoveryIntervalMs, this);
    this.recoveryTimer.unref();
  }

  get bufferedCount(): number {
    return this.buffer.length;
  }

  get outstandingBatches(): number {
    return this.outstanding;
  }

  /** Stops taking work, sends what is buffered and waits for every batch to finish. */
  async drain(): Promise<void> {
    this.closed = true;
    if (this.recoveryTimer) clearInterval(this.recoveryTimer);
    this.recoveryTimer = null;
    this.pump();
    if (this.outstanding === 0 && this.buffer.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Finds committed work not done and due (crash, lost task, retry time reached) and
   * dispatches it. Work younger than `graceMs` is left to the live path.
   */
  async recover(graceMs: number = this.o.config.recoveryGraceMs): Promise<number> {
    return this.recoveryPass(graceMs, true);
  }

  /**
   * One recovery pass. `sampleGauges`: also count pending and parked work for the gauges (a
   * scan of the pending index): on the periodic passes, not on the refills a large backlog
   * triggers as its batches finish.
   */
  private async recoveryPass(graceMs: number, sampleGauges: boolean): Promise<number> {
    if (this.recovering) return 0;
    this.recovering = true;
    this.recoveryWanted = false;
    let added = 0;
    try {
      if (sampleGauges) {
        const counts = await this.o.work.counts();
        const m = this.o.metrics;
        m.pending.set(counts.pending);
        m.deadLetters.set(counts.dead);
        for (const [event, n] of counts.pendingByEvent) m.pendingEvents.set({ event }, n);
        for (const [event, n] of counts.deadByEvent) m.deadLetterEvents.set({ event }, n);
      }
      const room = this.o.config.maxBufferedCheckins - this.buffer.length;
      if (room <= 0) return 0;
      const now = Date.now();
      // Rows already buffered or in a batch come back too (the query cannot skip them
      // cheaply); asking for that many more keeps them from crowding out the rest.
      const wanted = Math.min(room, this.o.config.recoveryBatchRows);
      const limit = wanted + Math.min(this.inFlight.size, MAX_SHADOW_ROWS);
      const rows = await this.o.work.fetchDue(now, now - graceMs, limit);
      for (const row of rows) {
        if (this.inFlight.has(row.id)) continue;
        this.buffer.push(row);
        this.inFlight.add(row.id);
        added++;
      }
      if (rows.length === limit || added >= wanted) this.recoveryWanted = true;
      if (added > 0) this.o.log.info({ count: added }, 'recovered pending events');
    } catch (e) {
      this.o.log.warn({ err: e }, 'event recovery pass failed');
    } finally {
      this.recovering = false;
    }
    if (added > 0) this.pump();
    return added;
  }

  private schedule(): void {
    if (this.buffer.length >= this.o.config.batchMaxCheckins) this.pump();
    else if (this.timer === null && this.buffer.length > 0) this.timer = setTimeout(onBatchTimer, this.o.config.batchMaxWaitMs, this);
  }

  /**
   * Sends full batches while the pool has capacity (running or queued), and a partial batch
   * only to an idle worker slot: under load, work keeps gathering into large batches instead
   * of queueing many small ones, each with its fixed cost in statements.
   */
  pump(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const size = this.o.config.batchMaxCheckins;
    while (this.buffer.length >= size && this.outstanding < this.o.pool.capacity) this.submit(this.buffer.take(size));
    if (this.buffer.length > 0 && (this.outstanding < this.o.pool.parallelism || this.closed)) {
      this.submit(this.buffer.take(size));
    }
    this.o.metrics.buffered.set(this.buffer.length);
    this.o.metrics.inFlight.set(this.outstanding);
    if (this.outstanding === 0 && this.buffer.length === 0 && this.idleWaiters.length > 0) {
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private submit(batch: CommittedWork[]): void {
    this.outstanding++;
    const ids: string[] = new Array(batch.length);
    let requestIds: string[] | undefined;
    const perEvent = new Array<number>(EVENT_TYPES.length).fill(0);
    for (let i = 0; i < batch.length; i++) {
      const row = batch[i]!;
      ids[i] = row.id;
      if (row.requestId !== undefined) (requestIds ??= new Array<string>(batch.length).fill(''))[i] = row.requestId;
      for (let e = 0; e < EVENT_TYPES.length; e++) if ((row.owed & EVENT_BIT[EVENT_TYPES[e]!]) !== 0) perEvent[e]!++;
    }
    for (let e = 0; e < EVENT_TYPES.length; e++) this.o.metrics.countDispatched(EVENT_TYPES[e]!, perEvent[e]!);
    this.o.pool.run({ ids, dispatchedMs: Date.now(), requestIds }).then(
      (result) => this.finished(ids, result, requestIds),
      (e: unknown) => this.finished(ids, { ok: false, code: 'EVENT_TASK_LOST', message: (e as Error)?.message ?? String(e) }, requestIds),
    );
  }

  private finished(ids: readonly string[], result: EventBatchResult, requestIds: readonly string[] | undefined): void {
    this.outstanding--;
    for (const id of ids) this.inFlight.delete(id);
    const m = this.o.metrics;
    if (result.ok) {
      m.tasks.inc({ outcome: 'ok' });
      for (const t of result.tallies) {
        m.countHandled(t.event, t.handled);
        m.handlerSeconds.inc({ event: t.event }, t.ms / 1000);
        if (t.parked > 0) m.parked.inc({ event: t.event }, t.parked);
      }
      for (const f of result.failures) m.failed.inc({ event: f.event, code: f.code }, f.count);
      for (const lag of result.lagsMs) m.lag.observe(lag / 1000);
      this.o.onReport?.(result);
    } else {
      m.tasks.inc({ outcome: result.code === 'EVENT_TASK_LOST' ? 'lost' : 'failed' });
      const reqIds = requestIds?.filter((r) => r !== '').slice(0, 20);
      this.o.log.warn({ code: result.code, message: result.message, checkins: ids.length, reqIds }, 'event batch failed');
      void this.recordLost(ids, `batch: ${result.code}: ${result.message}`);
    }
    // A backlog larger than one pass (a restart after downtime): fetch the next rows while
    // the workers still have a round of batches, so they do not idle waiting for the query.
    if (this.recoveryWanted && this.buffer.length < this.o.config.batchMaxCheckins * this.o.pool.parallelism && !this.closed) {
      void this.recoveryPass(this.o.config.recoveryGraceMs, false);
    }
    this.pump();
  }

  /** A batch that never reported (worker died, task rejected) costs its rows one attempt. */
  private async recordLost(ids: readonly string[], error: string): Promise<void> {
    const c = this.o.config;
    try {
      await this.o.work.recordFailure(ids, error, Date.now() + retryDelayMs(1, c.backoffBaseMs, c.backoffMaxMs, Math.random()), c.maxAttempts);
    } catch (e) {
      this.o.log.warn({ err: e }, 'could not record a failed batch; recovery will retry it');
    }
  }
}

/** Bound on the extra rows a recovery pass reads to see past work already in flight. */
const MAX_SHADOW_ROWS = 50_000;

function onBatchTimer(d: EventDispatcher): void {
  (d as unknown as { timer: NodeJS.Timeout | null }).timer = null;
  d.pump();
}

function onRecoveryTimer(d: EventDispatcher): void {
  void d.recover();
}
