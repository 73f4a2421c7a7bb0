import type { PoolConnection } from 'mysql2/promise';
import type { EventType } from '../../core/events.js';
import type { BatchScratch } from '../batch-scratch.js';
import type { WorkerContext } from '../worker-context.js';
import type { HandlerOutcome, WorkItem } from '../work-item.js';

/** What a handler's MySQL-side step gets: the batch transaction and the batch's shared results. */
export interface BatchTx {
  readonly ctx: WorkerContext;
  /** A connection inside the batch transaction, which holds the batch's work rows locked. */
  readonly conn: PoolConnection;
  readonly scratch: BatchScratch;
}

/**
 * One post-processing event, in up to two steps:
 *
 * - `apply`: its MySQL-side effect, inside the batch transaction that locked the work rows
 *   (one lock pass and one commit for every handler of the batch). It gets the check-ins
 *   whose bit is pending under that lock and whose prerequisites are done.
 * - `publish`: its effect outside MySQL (Redis, the notifier), after that transaction
 *   committed. It gets the check-ins `apply` completed (or all ready ones, without `apply`).
 *
 * When `doneInApply`, the runner clears the event's bit in the batch transaction itself: the
 * effect and the bit commit together, so a second run finds the bit cleared (the
 * exactly-once guard of counters and the ledger). Otherwise the bit is cleared after
 * `publish`, in one statement for the batch; such effects must be idempotent on their own
 * (absolute Redis values, the notification outbox — where the cleared bit is also the
 * record that a claimed message was sent).
 *
 * Both steps report expected failures as values; a throw fails the call, after which the
 * runner retries the items in smaller transactions to isolate a poison check-in.
 */
export interface EventHandler {
  readonly event: EventType;
  /** Events that must be complete for a check-in before this one runs for it. */
  readonly after: readonly EventType[];
  readonly doneInApply: boolean;
  apply?(tx: BatchTx, items: readonly WorkItem[]): Promise<HandlerOutcome>;
  publish?(ctx: WorkerContext, items: readonly WorkItem[], scratch: BatchScratch): Promise<HandlerOutcome>;
}
