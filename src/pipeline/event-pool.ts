import { fileURLToPath } from 'node:url';
import { Piscina } from 'piscina';
import type { Config } from '../config/schema.js';
import type { EventBatchResult, EventBatchTask, EventWorkerData } from '../workers/protocol.js';

/** The pool as the dispatcher uses it (a tiny interface: tests and benches can wrap it). */
export interface EventPool {
  run(task: EventBatchTask): Promise<EventBatchResult>;
  /** Batches that may be outstanding at once without hitting Piscina's queue limit. */
  readonly capacity: number;
  /** Batches the workers run at the same time (threads × concurrent tasks per worker). */
  readonly parallelism: number;
  close(): Promise<void>;
}

/**
 * Workers are plain JS: under vitest (this file is .ts) they still load the built
 * `dist/workers/entry.js` — run `npm run build` first.
 */
export function defaultWorkerFile(): string {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.ts')) return fileURLToPath(new URL('../../dist/workers/entry.js', import.meta.url));
  return fileURLToPath(new URL('../workers/entry.js', import.meta.url));
}

export class PiscinaEventPool implements EventPool {
  readonly piscina: Piscina<EventBatchTask, EventBatchResult>;
  readonly capacity: number;
  readonly parallelism: number;

  constructor(config: Config, workerFile: string = defaultWorkerFile()) {
    const p = config.pool;
    const workerData: EventWorkerData = { config };
    this.piscina = new Piscina<EventBatchTask, EventBatchResult>({
      filename: workerFile,
      name: 'default',
      minThreads: p.threads,
      maxThreads: p.threads,
      concurrentTasksPerWorker: p.concurrentTasksPerWorker,
      maxQueue: p.maxQueue,
      atomics: p.atomics,
      idleTimeout: 60_000,
      workerData,
    });
    this.parallelism = p.threads * p.concurrentTasksPerWorker;
    this.capacity = this.parallelism + p.maxQueue;
  }

  run(task: EventBatchTask): Promise<EventBatchResult> {
    return this.piscina.run(task);
  }

  async close(): Promise<void> {
    await this.piscina.close();
  }
}
