import type { EventType } from '../core/events.js';

/**
 * Messages across the thread boundary between the dispatcher (main thread) and the worker
 * entry. Both sides import this file. Errors lose their class across threads, so failures
 * travel as data with a stable `code` (workers/errors.ts).
 */

/** A batch of check-ins whose pending events the worker should run. */
export interface EventBatchTask {
  /** Check-in ids as decimal strings (they exceed 2^53). */
  readonly ids: readonly string[];
  /** When the dispatcher sent the batch (epoch ms): queue wait = worker start − this. */
  readonly dispatchedMs: number;
  /**
   * Id of the request that made each check-in (`ids[i]` ↔ `requestIds[i]`, '' when unknown),
   * for the workers' log lines. Only in memory: absent for work found by recovery.
   */
  readonly requestIds?: readonly string[];
}

/** Per-event outcome of one batch. */
export interface EventTally {
  readonly event: EventType;
  /** Check-ins whose event completed in this batch (including ones found already done). */
  readonly handled: number;
  /** Check-ins whose event failed (or waited on a failed dependency) in this batch. */
  readonly failed: number;
  /** Of the failed, those parked as dead letters (attempts exhausted). */
  readonly parked: number;
  /** Time the handler took for the whole batch, ms. */
  readonly ms: number;
}

export interface FailureCount {
  readonly event: EventType;
  readonly code: string;
  readonly count: number;
}

export interface EventBatchReport {
  readonly ok: true;
  /** Check-ins loaded with some event still pending (others were done or parked already). */
  readonly loaded: number;
  readonly tallies: readonly EventTally[];
  readonly failures: readonly FailureCount[];
  /** Commit → all events done, ms, for each check-in completed by this batch. */
  readonly lagsMs: readonly number[];
  /** Worker start − dispatch, ms. */
  readonly queuedMs: number;
}

export interface EventBatchFailure {
  readonly ok: false;
  readonly code: string;
  readonly message: string;
}

export type EventBatchResult = EventBatchReport | EventBatchFailure;

/** What `workerData` carries to every worker. */
export interface EventWorkerData {
  /** The validated site config (plain data: it is structured-cloned into the worker). */
  readonly config: import('../config/schema.js').Config;
}
