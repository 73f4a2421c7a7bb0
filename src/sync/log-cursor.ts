/**
 * One peer's progress over the replication log, in memory (pure: no I/O, unit-tested).
 *
 * The durable `cursor` means "every entry ≤ cursor was acknowledged". Entries are read in
 * `seq` order but become visible in commit order: when entry 12 is read while 11 is not
 * there, 11 is either still committing or was rolled back (an allocated number is lost on
 * ROLLBACK). Reading only "after the last seq seen" would skip 11 forever. So the cursor
 * remembers such holes; the sender re-reads them until they appear, and gives a hole up only
 * after `gapTimeoutMs` — longer than any writer transaction may run (the log entry is the
 * last statement before COMMIT, so an allocated seq commits within moments or never).
 *
 * Entries read beyond the cursor are sent at once, holes or not (check-ins are immutable and
 * venues resolve by version, so order does not matter at the receiver); only the durable
 * cursor waits. After a restart, what lies above the saved cursor is sent again, and the
 * receiver's inbox drops what it already has.
 */
export class LogCursor {
  /** Highest seq read so far. */
  private high: number;
  private readonly acked = new Set<number>();
  /** Holes below `high`: seq → when first seen missing. */
  private readonly missing = new Map<number, number>();
  /** Holes given up on (counted for status). */
  abandonedGaps = 0;

  constructor(
    private cursorSeq: number,
    private readonly gapTimeoutMs: number,
  ) {
    this.high = cursorSeq;
  }

  get cursor(): number {
    return this.cursorSeq;
  }

  get highest(): number {
    return this.high;
  }

  /** Holes to look for again. */
  get holes(): number[] {
    return [...this.missing.keys()];
  }

  /** Records entries read from the log (new ones above `high`, or holes that appeared). */
  read(seqs: readonly number[], nowMs: number): void {
    for (const seq of seqs) {
      if (seq > this.high) {
        for (let g = this.high + 1; g < seq; g++) this.missing.set(g, nowMs);
        this.high = seq;
      } else {
        this.missing.delete(seq);
      }
    }
  }

  /** The peer acknowledged these entries. */
  acknowledged(seqs: readonly number[], nowMs: number): void {
    for (const seq of seqs) if (seq > this.cursorSeq) this.acked.add(seq);
    this.advance(nowMs);
  }

  /** Moves the cursor over acknowledged entries and expired holes; returns whether it moved. */
  advance(nowMs: number): boolean {
    const before = this.cursorSeq;
    for (;;) {
      const next = this.cursorSeq + 1;
      if (next > this.high) break;
      if (this.acked.delete(next)) {
        this.cursorSeq = next;
        continue;
      }
      const since = this.missing.get(next);
      if (since !== undefined && nowMs - since >= this.gapTimeoutMs) {
        this.missing.delete(next);
        this.abandonedGaps++;
        this.cursorSeq = next;
        continue;
      }
      break;
    }
    return this.cursorSeq !== before;
  }
}
