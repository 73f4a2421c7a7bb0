/**
 * Exponential backoff with full jitter: a uniformly random delay in [0, min(cap, base·2^n)).
 * Jitter keeps the retries of many senders from arriving together when a link heals; the
 * cap (seconds) bounds how long a healed link waits before carrying traffic again.
 */
export function fullJitterMs(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
