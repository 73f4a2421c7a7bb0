/**
 * Where the MySQL server's clock stands against this process's `performance.now()`, as a
 * LOWER bound: a reading `s` (server epoch ms) taken between `sentAt` and `receivedAt`
 * (performance.now) shows `offset ≥ s − receivedAt`. Converting a local deadline with the
 * lower bound gives a server deadline that is never later than the local one — early by at
 * most the round trip of the reading — so a check made on the server against it passes only
 * while the local deadline has not passed. Clock skew between the hosts cancels out (both
 * ends of the comparison are server time); a server clock stepped backwards after a reading
 * could make the bound late until the next reading (every `maxAgeMs`).
 */
export class ServerClock {
  private offsetMs: number | null = null;
  private readAt = -Infinity;

  constructor(
    /** A reading older than this is taken again. */
    private readonly maxAgeMs = 10_000,
    /** A slower reading does not replace a usable one (its bound is looser by its round trip). */
    private readonly maxRoundTripMs = 50,
  ) {}

  /** True when the writer should take a reading before its next transaction. */
  stale(now: number): boolean {
    return this.offsetMs === null || now - this.readAt > this.maxAgeMs;
  }

  observe(sentAt: number, serverEpochMs: number, receivedAt: number): void {
    const usable = this.offsetMs !== null && receivedAt - this.readAt <= 6 * this.maxAgeMs;
    if (receivedAt - sentAt > this.maxRoundTripMs && usable) return;
    this.offsetMs = serverEpochMs - receivedAt;
    this.readAt = receivedAt;
  }

  /** Forgets the reading (a batch was refused as late: the bound may be too tight). */
  forget(): void {
    this.offsetMs = null;
  }

  /** The server's epoch milliseconds at or before local `performance.now()` time `at`; null before any reading. */
  toServerMs(at: number): number | null {
    return this.offsetMs === null ? null : at + this.offsetMs;
  }
}
