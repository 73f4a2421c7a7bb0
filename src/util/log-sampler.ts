/**
 * Keeps per-request log lines from flooding the log when many requests fail the same way (a
 * caller sending garbage, Redis down at thousands of hops a second): per key, at most `burst`
 * lines per `intervalMs` go through; the rest are counted, and the count rides on the next
 * line that goes through. Metrics still count every event; the log keeps examples.
 * Keys must come from a bounded set (dialect names, operation names), never from callers.
 */
export class LogSampler {
  private readonly windows = new Map<string, { start: number; lines: number; suppressed: number }>();

  constructor(
    private readonly burst = 10,
    private readonly intervalMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * `null` when this line is to be dropped; otherwise how many lines of this key were dropped
   * since the last one that went through (log it as `suppressed`).
   */
  take(key: string): number | null {
    const t = this.now();
    let w = this.windows.get(key);
    if (w === undefined) {
      w = { start: t, lines: 0, suppressed: 0 };
      this.windows.set(key, w);
    }
    if (t - w.start >= this.intervalMs) {
      w.start = t;
      w.lines = 0;
    }
    if (w.lines >= this.burst) {
      w.suppressed++;
      return null;
    }
    w.lines++;
    const suppressed = w.suppressed;
    w.suppressed = 0;
    return suppressed;
  }

  /** Calls `write` with the dropped count when this line of `key` goes through. */
  log(key: string, write: (suppressed: number) => void): void {
    const suppressed = this.take(key);
    if (suppressed !== null) write(suppressed);
  }
}
