import { describe, expect, it } from 'vitest';
import { ServerClock } from '../../../src/store/mysql/server-clock.js';

describe('ServerClock', () => {
  it('converts with the lower bound of the offset: never later than the true server time', () => {
    const c = new ServerClock();
    expect(c.toServerMs(100)).toBeNull();
    // Server is 5000 ms ahead; the reading was taken somewhere in a 4 ms round trip.
    c.observe(1000, 1000 + 5000 + 2, 1004);
    const server = c.toServerMs(2000)!;
    expect(server).toBeLessThanOrEqual(2000 + 5000);
    expect(server).toBeGreaterThanOrEqual(2000 + 5000 - 4);
  });

  it('keeps a tight reading over a slow one, and reads again when stale or forgotten', () => {
    const c = new ServerClock(10_000, 50);
    c.observe(0, 5000, 1);
    c.observe(100, 5100 + 400, 900); // 800 ms round trip: a frozen link that healed
    expect(c.toServerMs(1000)).toBe(1000 + 4999);
    expect(c.stale(5000)).toBe(false);
    expect(c.stale(20_000)).toBe(true);
    c.forget();
    expect(c.stale(5000)).toBe(true);
    c.observe(100, 5100 + 400, 900); // the only reading there is: used, loose but safe
    expect(c.toServerMs(1000)).toBe(1000 + 4600);
  });
});
