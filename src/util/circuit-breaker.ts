/**
 * Consecutive-failure circuit breaker. Closed: calls pass. After `threshold` failures in a
 * row it opens for `openMs`; then one probe may pass (half-open); its success closes it.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private probing = false;

  constructor(
    readonly name: string,
    private readonly threshold = 3,
    private readonly openMs = 2000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Whether a call may go ahead now. */
  allow(): boolean {
    if (this.failures < this.threshold) return true;
    if (this.now() < this.openUntil) return false;
    if (this.probing) return false;
    this.probing = true;
    return true;
  }

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.failures < this.threshold) return 'closed';
    return this.now() < this.openUntil ? 'open' : 'half-open';
  }

  /** Seconds until a call may be tried again (for Retry-After). */
  retryAfterSec(): number {
    return Math.max(1, Math.ceil((this.openUntil - this.now()) / 1000));
  }

  /** Milliseconds until the open breaker lets a probe through (0 when it would now). */
  retryAfterMs(): number {
    return Math.max(0, this.openUntil - this.now());
  }

  success(): void {
    this.failures = 0;
    this.probing = false;
  }

  failure(): void {
    this.failures++;
    this.probing = false;
    if (this.failures >= this.threshold) this.openUntil = this.now() + this.openMs;
  }
}
