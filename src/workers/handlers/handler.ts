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
  run(ctx: WorkerContext, items: readonly WorkItem[]): Promise<HandlerOutcome>;
}
