import { describe, expect, it } from 'vitest';
import { ChannelThrottle } from '../../../src/gateway/channel-throttle.js';
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

  it('remembers at most `capacity` keys: the oldest starts again with a full bucket', () => {
    const rl = new RateLimiter(1, 1, () => 0, 2);
    expect([rl.take('a'), rl.take('b')]).toEqual([0, 0]);
    expect([rl.take('a'), rl.take('b')]).toEqual([1, 1]);
    expect(rl.take('c')).toBe(0); // drops 'a'
    expect(rl.take('a')).toBe(0);
    expect(rl.take('c')).toBe(1);
  });
});

describe('ChannelThrottle', () => {
  const cfg = { subscriberRatePerSec: 1, subscriberBurst: 2, sourceRatePerSec: 1, sourceBurst: 1, throttleKeys: 100 };

  it('keeps a bucket per source and per subscriber', () => {
    const t = new ChannelThrottle(cfg, () => 0);
    expect(t.needsAddress).toBe(true);
    expect([t.source('10.0.0.1'), t.source('10.0.0.1'), t.source('10.0.0.2')]).toEqual([true, false, true]);
    expect([t.subscriber('+254711000001'), t.subscriber('+254711000001'), t.subscriber('+254711000001')]).toEqual([true, true, false]);
    expect(t.subscriber('+254711000002')).toBe(true);
  });

  it('a rate of 0 turns a limit off (and needs no address)', () => {
    const t = new ChannelThrottle({ ...cfg, subscriberRatePerSec: 0, sourceRatePerSec: 0 }, () => 0);
    expect(t.needsAddress).toBe(false);
    for (let i = 0; i < 100; i++) expect(t.source('10.0.0.1') && t.subscriber('+254711000001')).toBe(true);
  });
});
