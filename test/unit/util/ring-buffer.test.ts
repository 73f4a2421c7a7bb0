import { describe, expect, it } from 'vitest';
import { RingBuffer } from '../../../src/util/ring-buffer.js';

describe('RingBuffer', () => {
  it('is FIFO across growth and wrap-around', () => {
    const r = new RingBuffer<number>(2);
    const expected: number[] = [];
    let next = 0;
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 7; i++) {
        r.push(next);
        expected.push(next++);
      }
      for (let i = 0; i < 5; i++) expect(r.shift()).toBe(expected.shift());
    }
    expect(r.length).toBe(expected.length);
    expect(r.take(1000)).toEqual(expected);
    expect(r.shift()).toBeUndefined();
    expect(r.peek()).toBeUndefined();
  });
});
