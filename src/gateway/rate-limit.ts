/**
 * Token bucket per API client, in process memory: cheap enough for every request, and
 * what protects one gateway from one runaway client. (A cluster-wide limit would live in
 * `redis.local`; per-process is the contract documented in the README.)
 */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; updatedMs: number }>();

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a token; returns 0 when allowed, else the seconds to wait (for Retry-After). */
  take(clientId: string): number {
    const now = this.now();
    let b = this.buckets.get(clientId);
    if (!b) {
      b = { tokens: this.burst, updatedMs: now };
      this.buckets.set(clientId, b);
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
