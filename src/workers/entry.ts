/**
 * The Piscina worker module (loaded from dist/workers/entry.js). Each worker thread builds
 * its own MySQL pool, Redis connection and notifier once, from the config in `workerData`,
 * and then runs event batches. Nothing thrown crosses the thread boundary: failures come
 * back as `{ ok: false, code, message }`.
 */
import { workerData } from 'piscina';
import { toFailure, runBatch } from './run-batch.js';
import type { EventBatchResult, EventBatchTask, EventWorkerData } from './protocol.js';
import { createWorkerContext, type WorkerContext } from './worker-context.js';

let context: Promise<WorkerContext> | null = null;

export default async function handleEventBatch(task: EventBatchTask): Promise<EventBatchResult> {
  const data = workerData as EventWorkerData;
  context ??= createWorkerContext(data.config);
  let ctx: WorkerContext;
  try {
    ctx = await context;
  } catch (e) {
    context = null;
    return { ok: false, code: 'EVENT_WORKER_INIT', message: (e as Error).message };
  }
  try {
    return await runBatch(ctx, task);
  } catch (e) {
    const f = toFailure(e);
    return { ok: false, code: f.code, message: f.message };
  }
}
