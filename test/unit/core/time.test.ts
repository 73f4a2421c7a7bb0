import { describe, expect, it } from 'vitest';
import { isoToDayNumber, isoWeekOfDayNumber, LocalCalendar } from '../../../src/core/time.js';

describe('LocalCalendar', () => {
  it('puts a check-in on the local day, not the UTC day', () => {
    const nairobi = new LocalCalendar('Africa/Nairobi'); // UTC+3
    expect(nairobi.day(Date.UTC(2026, 10, 28, 20, 59))).toBe('2026-11-28');
    expect(nairobi.day(Date.UTC(2026, 10, 28, 21, 0))).toBe('2026-11-29');
    expect(new LocalCalendar('UTC').day(Date.UTC(2026, 10, 28, 21, 0))).toBe('2026-11-28');
  });

  it('follows daylight-saving changes', () => {
    const london = new LocalCalendar('Europe/London');
    expect(london.offsetMs(Date.UTC(2026, 6, 1))).toBe(3_600_000);
    expect(london.offsetMs(Date.UTC(2026, 0, 1))).toBe(0);
    expect(london.day(Date.UTC(2026, 6, 1, 23, 30))).toBe('2026-07-02');
  });

  it('numbers ISO weeks (Monday first, week 1 holds the first Thursday)', () => {
    expect(isoWeekOfDayNumber(isoToDayNumber('2026-11-28'))).toBe('2026-W48');
    expect(isoWeekOfDayNumber(isoToDayNumber('2027-01-01'))).toBe('2026-W53');
    expect(isoWeekOfDayNumber(isoToDayNumber('2024-12-30'))).toBe('2025-W01');
    expect(new LocalCalendar('Africa/Nairobi').isoWeek(Date.UTC(2026, 10, 29, 21, 30))).toBe('2026-W49');
  });
});
