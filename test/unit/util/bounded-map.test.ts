import { describe, expect, it } from 'vitest';
import { BoundedMap } from '../../../src/util/bounded-map.js';

describe('BoundedMap', () => {
  it('keeps the last `capacity` keys, first in first out', () => {
    const m = new BoundedMap<string, number>(3);
    for (const [i, k] of ['a', 'b', 'c', 'd'].entries()) m.set(k, i);
    expect(m.size).toBe(3);
    expect([m.get('a'), m.get('b'), m.get('c'), m.get('d')]).toEqual([undefined, 1, 2, 3]);
  });

  it('setting a present key replaces its value and keeps its place', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    m.set('a', 10);
    m.set('c', 3); // drops the oldest: a
    expect([m.get('a'), m.get('b'), m.get('c')]).toEqual([undefined, 2, 3]);
  });

  it('a deleted key frees nothing early, and set again it lives a whole round', () => {
    const m = new BoundedMap<string, number>(2);
    m.set('a', 1);
    m.delete('a');
    m.set('b', 2);
    m.set('a', 3); // slot 0 (old 'a') is reused now; the new 'a' owns slot 0 with a new seq
    expect(m.size).toBe(2);
    m.set('c', 4); // drops 'b'
    expect([m.get('a'), m.get('b'), m.get('c')]).toEqual([3, undefined, 4]);
    for (let i = 0; i < 1000; i++) m.set(`k${i}`, i);
    expect(m.size).toBe(2);
    expect([m.get('k998'), m.get('k999')]).toEqual([998, 999]);
  });

  it('capacity 0 keeps nothing', () => {
    const m = new BoundedMap<string, number>(0);
    m.set('a', 1);
    expect([m.size, m.get('a')]).toEqual([0, undefined]);
  });
});
