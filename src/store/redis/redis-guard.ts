import { CircuitBreaker } from '../../util/circuit-breaker.js';

/** Why a guarded Redis call did not run or did not finish in time. */
export class RedisUnavailableError extends Error {
  readonly code = 'REDIS_UNAVAILABLE';
}

const OPEN = new RedisUnavailableError('redis skipped: its circuit breaker is open');

/**
 * Bounds the Redis calls a request waits for. A Redis that accepts connections and never
 * answers would otherwise hold each call for the client's command timeout; here a call
 * fails after `budgetMs` (the caller then serves stale figures, or a truthful screen), and
 * after `threshold` failures in a row the breaker opens: calls fail at once, costing a
 * request nothing, and one probe per `openMs` finds out whether Redis is back.
 *
 * One guard per Redis client. Callers coalesce their calls (one per turn of the event
 * loop), so the timer here is per coalesced call, not per request.
 */
export class RedisGuard {
  private readonly breaker: CircuitBreaker;

  constructor(
    readonly name: string,
    private readonly budgetMs: number,
    threshold = 3,
    openMs = 1000,
  ) {
    this.breaker = new CircuitBreaker(`redis-${name}`, threshold, openMs);
  }

  get state(): string {
    return this.breaker.state;
  }

  run<T>(call: () => Promise<T>): Promise<T> {
    if (!this.breaker.allow()) return Promise.reject(OPEN);
    return new Promise<T>((resolve, reject) => {
      let settled = false;
      const timer = setTimeout(() => {
        settled = true;
        this.breaker.failure();
        reject(new RedisUnavailableError(`redis ${this.name} did not answer within ${this.budgetMs} ms`));
      }, this.budgetMs);
      call().then(
        (v) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          this.breaker.success();
          resolve(v);
        },
        (e: unknown) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          this.breaker.failure();
          reject(e);
        },
      );
    });
  }
}
