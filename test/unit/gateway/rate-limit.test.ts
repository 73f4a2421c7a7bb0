import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../src/gateway/rate-limit.js';

describe('RateLimiter', () => {
  it('allows the burst, then the rate, per client', () => {
    let now = 0;
    const rl = new RateLimiter(10, 3, () => now);
    expect([rl.take('a'), rl.take('a'), rl.take('a')]).toEqual([0, 0, 0]);
    expect(rl.take('a')).toBe(1);
    expect(rl.take('b')).toBe(0);
    now = 100; // one token back at 10/s
    expect(rl.take('a')).toBe(0);
    expect(rl.take('a')).toBeGreaterThan(0);
  });
});
