import { describe, expect, it } from 'vitest';
import { needsFullCount, pickSkipper, skipperWindow, standingInWindow } from '../../../src/core/skipper.js';

describe('standingInWindow', () => {
  it('counts distinct days inside the rolling window only', () => {
    const w = skipperWindow(100, 30);
    expect(w).toEqual({ first: 71, last: 100 });
    expect(standingInWindow('+1', [70, 71, 71, 85, 100, 101], w)).toEqual({ msisdn: '+1', days: 3, lastDay: 100 });
  });
});

describe('pickSkipper', () => {
  it('picks the user with most days', () => {
    const s = pickSkipper(null, [
      { msisdn: '+1', days: 3, lastDay: 10 },
      { msisdn: '+2', days: 5, lastDay: 10 },
    ]);
    expect(s?.msisdn).toBe('+2');
  });

  it('keeps the current skipper on a tie', () => {
    const standings = [
      { msisdn: '+2', days: 4, lastDay: 9 },
      { msisdn: '+1', days: 4, lastDay: 10 },
    ];
    expect(pickSkipper('+1', standings)?.msisdn).toBe('+1');
    expect(pickSkipper('+1', [...standings].reverse())?.msisdn).toBe('+1');
  });

  it('among challengers on a tie, prefers who reached the count first, then the lower number', () => {
    expect(
      pickSkipper('+9', [
        { msisdn: '+3', days: 4, lastDay: 12 },
        { msisdn: '+4', days: 4, lastDay: 11 },
        { msisdn: '+9', days: 2, lastDay: 12 },
      ])?.msisdn,
    ).toBe('+4');
    expect(
      pickSkipper(null, [
        { msisdn: '+5', days: 4, lastDay: 11 },
        { msisdn: '+4', days: 4, lastDay: 11 },
      ])?.msisdn,
    ).toBe('+4');
  });

  it('has no skipper when nobody has a day in the window', () => {
    expect(pickSkipper('+1', [{ msisdn: '+1', days: 0, lastDay: 0 }])).toBeNull();
  });
});

describe('needsFullCount', () => {
  it('needs a full count only when the skipper’s count fell since the last evaluation', () => {
    expect(needsFullCount('+1', 5, 4)).toBe(true);
    expect(needsFullCount('+1', 5, 5)).toBe(false);
    expect(needsFullCount('+1', 5, 6)).toBe(false);
    expect(needsFullCount(null, 0, 0)).toBe(false);
  });
});
