import { describe, expect, it } from 'vitest';
import { BucketWindow } from '../../../src/dashboard/quantiles.js';

const buckets = (pairs: Array<[number, number]>) => new Map(pairs);

describe('BucketWindow', () => {
  it('gives quantiles of what happened between two readings, interpolated inside the bucket', () => {
    const w = new BucketWindow();
    expect(w.next(buckets([[0.1, 50], [0.5, 90], [1, 100], [Infinity, 100]]), [0.5])).toBeNull(); // first reading: no interval yet
    // Since then: 100 more observations, 50 ≤ 0.1 s, 40 in (0.1, 0.5], 10 in (0.5, 1].
    const [p50, p90, p99] = w.next(buckets([[0.1, 100], [0.5, 180], [1, 200], [Infinity, 200]]), [0.5, 0.9, 0.99])!;
    expect(p50).toBeCloseTo(0.1, 6);
    expect(p90).toBeCloseTo(0.5, 6);
    expect(p99).toBeCloseTo(0.95, 6);
  });

  it('is null for an interval without observations', () => {
    const w = new BucketWindow();
    w.next(buckets([[1, 5], [Infinity, 5]]), [0.5]);
    expect(w.next(buckets([[1, 5], [Infinity, 5]]), [0.5])).toBeNull();
  });
});
