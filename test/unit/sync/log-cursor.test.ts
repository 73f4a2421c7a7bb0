import { describe, expect, it } from 'vitest';
import { LogCursor } from '../../../src/sync/log-cursor.js';

describe('LogCursor', () => {
  it('moves over entries acknowledged in order', () => {
    const c = new LogCursor(0, 1000);
    c.read([1, 2, 3], 0);
    expect(c.holes).toEqual([]);
    c.acknowledged([1, 2, 3], 0);
    expect(c.cursor).toBe(3);
    expect(c.highest).toBe(3);
  });

  it('remembers a seq seen missing and never skips it while it may still commit', () => {
    const c = new LogCursor(10, 30_000);
    c.read([11, 14], 0);
    expect(c.holes.sort()).toEqual([12, 13]);
    c.acknowledged([11, 14], 5);
    // 12 and 13 may still be committing: the durable cursor stops below them.
    expect(c.cursor).toBe(11);
    // 13 commits late; it is read as a hole that appeared, then acknowledged.
    c.read([13], 1000);
    expect(c.holes).toEqual([12]);
    c.acknowledged([13], 1000);
    expect(c.cursor).toBe(11);
    c.read([12], 2000);
    c.acknowledged([12], 2000);
    expect(c.holes).toEqual([]);
    expect(c.cursor).toBe(14);
    expect(c.abandonedGaps).toBe(0);
  });

  it('gives a hole up only after gapTimeoutMs (a rolled-back seq), counting it', () => {
    const c = new LogCursor(0, 30_000);
    c.read([2], 1000);
    c.acknowledged([2], 1000);
    expect(c.advance(30_999)).toBe(false);
    expect(c.cursor).toBe(0);
    expect(c.advance(31_000)).toBe(true);
    expect(c.cursor).toBe(2);
    expect(c.abandonedGaps).toBe(1);
    expect(c.holes).toEqual([]);
  });

  it('does not let an expired hole carry the cursor past an unacknowledged entry', () => {
    const c = new LogCursor(0, 100);
    c.read([2, 3], 0);
    c.acknowledged([3], 0);
    // 1 expires, 2 was read but never acknowledged (its batch is still in flight).
    c.advance(1000);
    expect(c.cursor).toBe(1);
    c.acknowledged([2], 1000);
    expect(c.cursor).toBe(3);
  });

  it('ignores acknowledgements at or below the cursor and re-reads after a restart', () => {
    const c = new LogCursor(5, 100);
    c.acknowledged([3, 5], 0);
    expect(c.cursor).toBe(5);
    expect(c.highest).toBe(5);
    c.read([6, 7], 0);
    c.acknowledged([7, 6], 0);
    expect(c.cursor).toBe(7);
  });
});
