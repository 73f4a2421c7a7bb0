import { describe, expect, it } from 'vitest';
import { decodePoints, encodeScore, parseBoardName, readModelKeys } from '../../../src/core/leaderboard.js';

describe('leaderboard scores', () => {
  it('keeps the points in the integer part', () => {
    expect(decodePoints(encodeScore(1234, Date.now()))).toBe(1234);
    expect(decodePoints(encodeScore(0, Date.now()))).toBe(0);
    expect(decodePoints(encodeScore(1_000_000, Date.UTC(2030, 0, 1)))).toBe(1_000_000);
  });

  it('ranks an earlier achiever of the same points higher', () => {
    const early = encodeScore(50, Date.UTC(2026, 0, 1));
    const late = encodeScore(50, Date.UTC(2026, 0, 2));
    expect(early).toBeGreaterThan(late);
    expect(encodeScore(51, Date.UTC(2026, 0, 2))).toBeGreaterThan(early);
  });

  it('parses board names', () => {
    expect(parseBoardName('global')).toBe('global');
    expect(parseBoardName('week')).toBe('week');
    expect(parseBoardName('city:Nairobi')).toBe('city:nairobi');
    expect(parseBoardName('monthly')).toBeNull();
    expect(parseBoardName('city:')).toBeNull();
    expect(readModelKeys.board('week', '2026-W48')).toBe('lb:week:2026-W48');
    expect(readModelKeys.board('city:nairobi', '')).toBe('lb:city:nairobi');
  });
});
