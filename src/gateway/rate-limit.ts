import { BoundedMap } from '../util/bounded-map.js';

/**
 * Token bucket per key (an API client, a subscriber, a gateway's address), in process
 * memory: cheap enough for every request, and what protects one gateway from one runaway
 * caller. (A cluster-wide limit would live in `redis.local`; per-process is the contract
 * documented in the README.)
 *
 * Bounded: at most `capacity` keys, the oldest dropped first. Keys a caller chooses (a
 * subscriber number) cannot grow the process; a dropped key starts again with a full
 * bucket, so evicting one needs `capacity` other keys in between.
 */
export class RateLimiter {
  private readonly buckets: BoundedMap<string, { tokens: number; updatedMs: number }>;

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
    capacity = 100_000,
  ) {
    this.buckets = new BoundedMap(capacity);
  }

  /** Takes a token; returns 0 when allowed, else the seconds to wait (for Retry-After). */
  take(key: string): number {
    const now = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.burst, updatedMs: now };
      this.buckets.set(key, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.updatedMs) * this.ratePerSec) / 1000);
    b.updatedMs = now;
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) / this.ratePerSec));
  }
}
