/**
 * Delay before retry number `attempt` (1-based) of a failed event: exponential from `baseMs`,
 * capped at `maxMs`, with "equal jitter" (half fixed, half random) so that a burst of failures
 * does not come back as a burst, yet a retry never comes sooner than half the nominal delay.
 */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number, random: number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.round(exp / 2 + (random * exp) / 2);
}
