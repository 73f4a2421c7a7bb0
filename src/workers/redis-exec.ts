import type { ChainableCommander } from 'ioredis';
import { EventError } from './coded-error.js';

/**
 * Runs a pipeline. Any command error (or the pipeline failing as a whole: Redis down, no
 * offline queue) becomes EVENT_REDIS_ERROR — thrown, or returned as the message when
 * `throwOnError` is false.
 */
export async function execPipeline(p: ChainableCommander, throwOnError = true): Promise<string | null> {
  let message: string | null = null;
  try {
    const results = await p.exec();
    const error = results?.find((r) => r[0] !== null)?.[0];
    if (error) message = error.message;
  } catch (e) {
    message = (e as Error).message;
  }
  if (message !== null && throwOnError) throw new EventError('EVENT_REDIS_ERROR', message);
  return message;
}
