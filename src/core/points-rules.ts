import type { PointsConfig } from './points-config.js';

/**
 * The points programme as a pure function: a check-in plus facts read from the ledger and
 * the check-in history give the ledger entries it earns. The ledger is unique per
 * (check-in, rule), so these rule names are stored and must never be renamed.
 */
export const POINTS_RULES = ['base', 'first_visit', 'streak', 'skipper'] as const;
export type PointsRule = (typeof POINTS_RULES)[number];

export interface LedgerEntry {
  readonly rule: PointsRule;
  readonly points: number;
}

export interface PointsFacts {
  /** No rewarded check-in by this user at this venue on any earlier local day. */
  readonly firstVisitToVenue: boolean;
  /** Consecutive local days just before the check-in's day with a rewarded check-in anywhere. */
  readonly priorStreakDays: number;
  /** The user is the venue's skipper when the check-in is processed. */
  readonly isSkipper: boolean;
  /** Points already in the ledger for this user on the check-in's local day. */
  readonly pointsEarnedToday: number;
}

export type PointsRules = Pick<
  PointsConfig,
  'base' | 'firstVisitBonus' | 'streakBonusPerDay' | 'streakMaxDays' | 'skipperBonus' | 'dailyCap'
>;

/**
 * Entries a check-in earns. Only a rewarded check-in (the first of that user at that venue
 * that local day) earns anything. The daily cap trims entries in rule order (base first),
 * so a capped day still records why each point was given; zero entries are left out.
 */
export function awardPoints(rewarded: boolean, facts: PointsFacts, rules: PointsRules): LedgerEntry[] {
  if (!rewarded) return [];
  const candidates: LedgerEntry[] = [{ rule: 'base', points: rules.base }];
  if (facts.firstVisitToVenue) candidates.push({ rule: 'first_visit', points: rules.firstVisitBonus });
  const streak = Math.min(Math.max(0, facts.priorStreakDays), rules.streakMaxDays);
  if (streak > 0) candidates.push({ rule: 'streak', points: streak * rules.streakBonusPerDay });
  if (facts.isSkipper) candidates.push({ rule: 'skipper', points: rules.skipperBonus });

  let allowance = rules.dailyCap === 0 ? Number.POSITIVE_INFINITY : Math.max(0, rules.dailyCap - facts.pointsEarnedToday);
  const entries: LedgerEntry[] = [];
  for (const c of candidates) {
    const points = Math.min(c.points, allowance);
    if (points <= 0) continue;
    entries.push(points === c.points ? c : { rule: c.rule, points });
    allowance -= points;
  }
  return entries;
}

/**
 * Consecutive days before `day` (day numbers, see core/time.ts) found in `rewardedDays`.
 * `day` itself does not count: the streak rewards the run that the check-in extends.
 */
export function priorStreakDays(day: number, rewardedDays: ReadonlySet<number>, maxDays: number): number {
  let n = 0;
  while (n < maxDays && rewardedDays.has(day - n - 1)) n++;
  return n;
}

export function sumEntries(entries: readonly LedgerEntry[]): number {
  let total = 0;
  for (const e of entries) total += e.points;
  return total;
}
