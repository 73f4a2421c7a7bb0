/**
 * Quantiles of a Prometheus histogram over one interval: the difference of two readings of
 * its cumulative buckets, interpolated linearly inside the bucket (as `histogram_quantile`
 * does). Coarse by nature; fine for a live view of event lag.
 */
export class BucketWindow {
  private previous: Map<number, number> | null = null;

  /** `buckets`: upper bound → cumulative count (+Inf as Infinity). Returns null when nothing happened. */
  next(buckets: Map<number, number>, qs: readonly number[]): number[] | null {
    const prev = this.previous;
    this.previous = buckets;
    if (prev === null) return null;
    const bounds = [...buckets.keys()].sort((a, b) => a - b);
    const counts = bounds.map((b) => (buckets.get(b) ?? 0) - (prev.get(b) ?? 0));
    const total = counts[counts.length - 1] ?? 0;
    if (total <= 0) return null;
    return qs.map((q) => {
      const rank = q * total;
      for (let i = 0; i < bounds.length; i++) {
        if (counts[i]! >= rank) {
          const lower = i === 0 ? 0 : bounds[i - 1]!;
          const upper = bounds[i]!;
          if (!Number.isFinite(upper)) return lower;
          const below = i === 0 ? 0 : counts[i - 1]!;
          const inBucket = counts[i]! - below;
          return inBucket <= 0 ? upper : lower + ((upper - lower) * (rank - below)) / inBucket;
        }
      }
      return bounds[bounds.length - 2] ?? 0;
    });
  }
}
