import type { Registry } from 'prom-client';
import type { Config } from '../config/schema.js';
import type { Logger } from '../observability/logger.js';
import { DeadLetterRepository } from '../store/mysql/dead-letters.js';
import type { MysqlPool } from '../store/mysql/pool.js';
import { WorkStore } from '../store/mysql/work-store.js';
import { EventDispatcher } from './dispatcher.js';
import { EventMetrics } from './event-metrics.js';
import { PiscinaEventPool, type EventPool } from './event-pool.js';

/** Post-processing as the composition root sees it. */
export interface EventsRuntime {
  readonly dispatcher: EventDispatcher;
  readonly deadLetters: DeadLetterRepository;
  readonly metrics: EventMetrics;
  /** Sends what is buffered, waits for running batches, stops the workers. */
  stop(): Promise<void>;
}

/**
 * Starts the worker pool and the dispatcher, and runs the first recovery pass (work
 * committed before a crash). Subscribe its dispatcher to the writer's commits.
 */
export async function startEvents(
  config: Config,
  pool: MysqlPool,
  registry: Registry,
  log: Logger,
  eventPool: EventPool = new PiscinaEventPool(config),
): Promise<EventsRuntime> {
  const metrics = new EventMetrics(registry);
  const dispatcher = new EventDispatcher({
    pool: eventPool,
    work: new WorkStore(pool),
    metrics,
    config: config.pool,
    log: log.child({ component: 'events' }),
  });
  await dispatcher.start();
  return {
    dispatcher,
    deadLetters: new DeadLetterRepository(pool),
    metrics,
    async stop() {
      await dispatcher.drain();
      await eventPool.close();
    },
  };
}
