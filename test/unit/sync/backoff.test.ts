import { describe, expect, it } from 'vitest';
import { fullJitterMs } from '../../../src/sync/backoff.js';

describe('fullJitterMs', () => {
  it('spans [0, base·2^attempt) with full jitter', () => {
    expect(fullJitterMs(0, 100, 5000, () => 0)).toBe(0);
    expect(fullJitterMs(0, 100, 5000, () => 0.999999)).toBe(99);
    expect(fullJitterMs(3, 100, 5000, () => 0.5)).toBe(400);
    expect(fullJitterMs(3, 100, 5000, () => 0.999999)).toBe(799);
  });

  it('never exceeds the cap, however many attempts (no overflow)', () => {
    for (const attempt of [6, 10, 31, 100, 10_000]) {
      expect(fullJitterMs(attempt, 100, 5000, () => 0.999999)).toBe(4999);
      expect(fullJitterMs(attempt, 100, 5000, () => 0)).toBe(0);
    }
  });

  it('stays within bounds with the real random source', () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      const ms = fullJitterMs(attempt, 100, 5000);
      expect(Number.isInteger(ms)).toBe(true);
      expect(ms).toBeGreaterThanOrEqual(0);
      expect(ms).toBeLessThan(Math.min(5000, 100 * 2 ** attempt));
    }
  });
});
