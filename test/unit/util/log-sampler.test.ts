import { describe, expect, it } from 'vitest';
import { LogSampler } from '../../../src/util/log-sampler.js';

describe('LogSampler', () => {
  it('lets a burst through per key and interval, and reports what it dropped on the next line', () => {
    let now = 1_000;
    const s = new LogSampler(3, 10_000, () => now);
    expect([s.take('a'), s.take('a'), s.take('a')]).toEqual([0, 0, 0]);
    expect([s.take('a'), s.take('a')]).toEqual([null, null]);
    expect(s.take('b')).toBe(0); // keys are counted apart
    now += 9_999;
    expect(s.take('a')).toBeNull();
    now += 1;
    expect(s.take('a')).toBe(3); // a new interval: the three dropped lines are reported
    expect(s.take('a')).toBe(0);
  });

  it('log() writes only the lines that go through, with the dropped count', () => {
    const s = new LogSampler(1, 10_000, () => 0);
    const written: number[] = [];
    for (let i = 0; i < 4; i++) s.log('k', (suppressed) => written.push(suppressed));
    expect(written).toEqual([0]);
  });
});
