import { describe, expect, it } from 'vitest';
import { pointsConfigSchema } from '../../../src/core/points-config.js';
import { awardPoints, priorStreakDays, sumEntries, type PointsFacts } from '../../../src/core/points-rules.js';
import { LocalCalendar } from '../../../src/core/time.js';

const rules = pointsConfigSchema.parse({
  base: 10,
  firstVisitBonus: 20,
  streakBonusPerDay: 5,
  streakMaxDays: 3,
  skipperBonus: 7,
  dailyCap: 100,
});
const plain: PointsFacts = { firstVisitToVenue: false, priorStreakDays: 0, isSkipper: false, pointsEarnedToday: 0 };

describe('awardPoints', () => {
  it('gives nothing for a check-in that is not rewarded', () => {
    expect(awardPoints(false, { ...plain, firstVisitToVenue: true, isSkipper: true }, rules)).toEqual([]);
  });

  it('gives the base points for a plain rewarded check-in', () => {
    expect(awardPoints(true, plain, rules)).toEqual([{ rule: 'base', points: 10 }]);
  });

  it('adds first-visit, streak and skipper bonuses as separate entries', () => {
    const entries = awardPoints(true, { firstVisitToVenue: true, priorStreakDays: 2, isSkipper: true, pointsEarnedToday: 0 }, rules);
    expect(entries).toEqual([
      { rule: 'base', points: 10 },
      { rule: 'first_visit', points: 20 },
      { rule: 'streak', points: 10 },
      { rule: 'skipper', points: 7 },
    ]);
  });

  it('stops the streak bonus growing at streakMaxDays', () => {
    const entries = awardPoints(true, { ...plain, priorStreakDays: 40 }, rules);
    expect(entries).toContainEqual({ rule: 'streak', points: 15 });
  });

  it('trims entries in rule order at the daily cap and drops those left at zero', () => {
    const entries = awardPoints(true, { firstVisitToVenue: true, priorStreakDays: 3, isSkipper: true, pointsEarnedToday: 75 }, rules);
    expect(entries).toEqual([
      { rule: 'base', points: 10 },
      { rule: 'first_visit', points: 15 },
    ]);
    expect(sumEntries(entries)).toBe(25);
  });

  it('gives nothing once the cap is reached, and never a negative entry past it', () => {
    expect(awardPoints(true, { ...plain, pointsEarnedToday: 100 }, rules)).toEqual([]);
    expect(awardPoints(true, { ...plain, pointsEarnedToday: 130 }, rules)).toEqual([]);
  });

  it('treats a cap of 0 as no cap', () => {
    const entries = awardPoints(true, { ...plain, pointsEarnedToday: 10_000 }, { ...rules, dailyCap: 0 });
    expect(entries).toEqual([{ rule: 'base', points: 10 }]);
  });
});

describe('priorStreakDays', () => {
  it('counts consecutive earlier days, not the day itself, and stops at a gap', () => {
    expect(priorStreakDays(100, new Set([100, 99, 98, 96]), 10)).toBe(2);
    expect(priorStreakDays(100, new Set([100]), 10)).toBe(0);
    expect(priorStreakDays(100, new Set([99, 98, 97, 96]), 2)).toBe(2);
  });

  it('uses local days: 23:50 and 00:10 in Nairobi are consecutive days, though the same UTC day', () => {
    const cal = new LocalCalendar('Africa/Nairobi'); // UTC+3, no DST
    const evening = Date.UTC(2026, 10, 27, 20, 50); // 23:50 local, 27 Nov
    const night = Date.UTC(2026, 10, 27, 21, 10); // 00:10 local, 28 Nov; still 27 Nov in UTC
    expect(new Date(evening).getUTCDate()).toBe(new Date(night).getUTCDate());
    const days = new Set([cal.dayNumber(evening)]);
    expect(priorStreakDays(cal.dayNumber(night), days, 7)).toBe(1);
    const utc = new LocalCalendar('UTC');
    expect(priorStreakDays(utc.dayNumber(night), new Set([utc.dayNumber(evening)]), 7)).toBe(0);
  });

  it('does not join two check-ins 20 minutes apart within one local day', () => {
    const cal = new LocalCalendar('America/New_York');
    const a = Date.UTC(2026, 10, 28, 4, 30); // 23:30 local 27 Nov
    const b = Date.UTC(2026, 10, 28, 4, 50); // 23:50 local 27 Nov; 28 Nov in UTC
    expect(cal.dayNumber(a)).toBe(cal.dayNumber(b));
    expect(priorStreakDays(cal.dayNumber(b), new Set([cal.dayNumber(a)]), 7)).toBe(0);
  });
});
