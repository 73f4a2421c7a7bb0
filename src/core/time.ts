/**
 * Calendar arithmetic in the site's configured time zone. A "day" decides whether a
 * check-in is rewarded and how streaks count, so it must be the subscriber's local day,
 * not UTC. Offsets are cached per hour: Intl is too slow for the hot path.
 */
export class LocalCalendar {
  private readonly fmt: Intl.DateTimeFormat;
  private cachedHourStart = -1;
  private cachedOffsetMs = 0;
  private cachedDayNumber = -1;
  private cachedDay = '';

  constructor(readonly timeZone: string) {
    this.fmt = new Intl.DateTimeFormat('en-CA', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
  }

  /** Offset of local time from UTC at `ms`, in ms. */
  offsetMs(ms: number): number {
    const hourStart = ms - (ms % 3_600_000);
    if (hourStart !== this.cachedHourStart) {
      const p: Record<string, number> = {};
      for (const part of this.fmt.formatToParts(hourStart)) {
        if (part.type !== 'literal') p[part.type] = Number(part.value);
      }
      const asUtc = Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
      this.cachedOffsetMs = asUtc - hourStart;
      this.cachedHourStart = hourStart;
    }
    return this.cachedOffsetMs;
  }

  /** Local calendar day as days since 1970-01-01 (an integer, cheap to compare). */
  dayNumber(ms: number): number {
    return Math.floor((ms + this.offsetMs(ms)) / 86_400_000);
  }

  /** Local calendar day as `YYYY-MM-DD` (the last one is cached: every check-in asks). */
  day(ms: number): string {
    const n = this.dayNumber(ms);
    if (n !== this.cachedDayNumber) {
      this.cachedDay = dayNumberToIso(n);
      this.cachedDayNumber = n;
    }
    return this.cachedDay;
  }

  /** ISO-8601 week of the local day, e.g. `2026-W48`. */
  isoWeek(ms: number): string {
    return isoWeekOfDayNumber(this.dayNumber(ms));
  }
}

export function dayNumberToIso(dayNumber: number): string {
  return new Date(dayNumber * 86_400_000).toISOString().slice(0, 10);
}

export function isoToDayNumber(iso: string): number {
  return Math.floor(Date.parse(iso + 'T00:00:00Z') / 86_400_000);
}

export function isoWeekOfDayNumber(dayNumber: number): string {
  const d = new Date(dayNumber * 86_400_000);
  const dow = (d.getUTCDay() + 6) % 7; // Monday = 0
  const thursday = new Date(d.getTime() + (3 - dow) * 86_400_000);
  const year = thursday.getUTCFullYear();
  const jan1 = Date.UTC(year, 0, 1);
  const week = 1 + Math.floor((thursday.getTime() - jan1) / (7 * 86_400_000));
  return `${year}-W${String(week).padStart(2, '0')}`;
}
