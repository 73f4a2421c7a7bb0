/**
 * The skipper of a venue is the user with the most distinct local days with a rewarded
 * check-in there within a rolling window (days are day numbers, see core/time.ts).
 * Ties keep the current skipper; among challengers the one who reached the count first
 * (earlier last day), then the lower MSISDN, wins — so the outcome never depends on
 * the order rows come back from the database.
 */

export interface SkipperStanding {
  readonly msisdn: string;
  /** Distinct rewarded days in the window. */
  readonly days: number;
  /** Latest of those days: the day the count was reached. */
  readonly lastDay: number;
}

export interface SkipperWindow {
  readonly first: number;
  readonly last: number;
}

export function skipperWindow(endDay: number, windowDays: number): SkipperWindow {
  return { first: endDay - windowDays + 1, last: endDay };
}

/** Counts the distinct days of one user that fall inside the window. */
export function standingInWindow(msisdn: string, days: Iterable<number>, window: SkipperWindow): SkipperStanding {
  const seen = new Set<number>();
  let lastDay = Number.NEGATIVE_INFINITY;
  for (const d of days) {
    if (d < window.first || d > window.last) continue;
    seen.add(d);
    if (d > lastDay) lastDay = d;
  }
  return { msisdn, days: seen.size, lastDay };
}

/** The skipper given everyone's standing; null when nobody has a day in the window. */
export function pickSkipper(current: string | null, standings: readonly SkipperStanding[]): SkipperStanding | null {
  let best: SkipperStanding | null = null;
  for (const s of standings) {
    if (s.days <= 0) continue;
    if (best === null || beats(s, best, current)) best = s;
  }
  return best;
}

function beats(a: SkipperStanding, b: SkipperStanding, current: string | null): boolean {
  if (a.days !== b.days) return a.days > b.days;
  if (a.msisdn === current) return true;
  if (b.msisdn === current) return false;
  if (a.lastDay !== b.lastDay) return a.lastDay < b.lastDay;
  return a.msisdn < b.msisdn;
}

/**
 * Whether the challengers of a batch are enough to decide, or every user of the venue must
 * be counted. Every rewarded check-in is evaluated once (as a challenger), so after any
 * evaluation nobody outside the batch has more days than the skipper had then: counting
 * only the challengers stays exact while the skipper's count has not fallen since. Once the
 * window moved past some of the skipper's days, someone who was behind may now lead, and a
 * full count is needed. (No skipper: everyone outside the batch had no day in the window at
 * the last evaluation, and has had no rewarded check-in since.)
 */
export function needsFullCount(currentSkipper: string | null, daysAtLastEvaluation: number, daysNow: number): boolean {
  return currentSkipper !== null && daysNow < daysAtLastEvaluation;
}
