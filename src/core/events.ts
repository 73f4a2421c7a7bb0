/**
 * The five post-processing events every check-in owes (ARCHITECTURE.md). They are derivable
 * from the check-in, so the durable record of the work is one row per check-in with a
 * bit per event still pending — not a row per event.
 */
export const EVENT_TYPES = [
  'points.award',
  'leaderboard.update',
  'skipper.evaluate',
  'notify.user',
  'stats.record',
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

export const EVENT_BIT: Readonly<Record<EventType, number>> = Object.freeze({
  'points.award': 1,
  'leaderboard.update': 2,
  'skipper.evaluate': 4,
  'notify.user': 8,
  'stats.record': 16,
});

export const ALL_EVENTS_MASK = 31;

export type Capability = 'checkin' | 'ussd' | 'sms' | 'points' | 'notify';
export const CAPABILITIES: readonly Capability[] = ['checkin', 'ussd', 'sms', 'points', 'notify'];

/**
 * Where each event runs:
 * - `points`: only at the site holding the `points` capability (exactly one site does);
 * - `origin`: at the site where the check-in was made (and which has `notify`);
 * - `every`: at every site that stores the check-in, for its own dashboards.
 */
export const EVENT_ROUTE: Readonly<Record<EventType, 'points' | 'origin' | 'every'>> = Object.freeze({
  'points.award': 'points',
  'leaderboard.update': 'points',
  'skipper.evaluate': 'points',
  'notify.user': 'origin',
  'stats.record': 'every',
});

/**
 * The events a site must run for a check-in it stores.
 * @param capabilities the site's capabilities
 * @param isOrigin whether the check-in was made at this site (false when it arrived by sync)
 */
export function eventsOwedHere(capabilities: ReadonlySet<Capability>, isOrigin: boolean): number {
  let mask = 0;
  for (const type of EVENT_TYPES) {
    const route = EVENT_ROUTE[type];
    const runs =
      route === 'every' ||
      (route === 'points' && capabilities.has('points')) ||
      (route === 'origin' && isOrigin && capabilities.has('notify'));
    if (runs) mask |= EVENT_BIT[type];
  }
  return mask;
}

export function eventsInMask(mask: number): EventType[] {
  return EVENT_TYPES.filter((t) => (mask & EVENT_BIT[t]) !== 0);
}
