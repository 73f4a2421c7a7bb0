import type { EventType } from '../../core/events.js';
import type { WorkerContext } from '../worker-context.js';
import type { HandlerOutcome, WorkItem } from '../work-item.js';

/**
 * One post-processing event. `run` gets the batch's check-ins that owe the event (and whose
 * prerequisites are done) and must be idempotent: it may see a check-in again after a
 * crash. Expected failures come back in the outcome; a throw fails the whole call, after
 * which the runner retries the items one by one to isolate a poison check-in.
 */
export interface EventHandler {
  readonly event: EventType;
  /** Events that must be complete for a check-in before this one runs for it. */
  readonly after: readonly EventType[];
  /**
   * True when the handler clears its event's bit itself, in the transaction that applies its
   * effect (the exactly-once guard of MySQL-side effects). Otherwise the runner clears the
   * bits of all such handlers at the end of the batch in one statement: their effects are
   * idempotent on their own (absolute Redis values, the notification outbox).
   */
  readonly clearsOwnBit: boolean;
  /**
   * True when `run` accepts the runner's deferred clears (bit mask → check-in ids) and
   * applies them in its own transaction, saving the batch a statement and a commit.
   */
  readonly takesDeferredClears?: boolean;
  run(ctx: WorkerContext, items: readonly WorkItem[], deferredClears?: ReadonlyMap<number, readonly string[]>): Promise<HandlerOutcome>;
}
