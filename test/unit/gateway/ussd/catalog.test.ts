import { describe, expect, it } from 'vitest';
import { CATALOGS, LANGUAGES, type MessageKey } from '../../../../src/gateway/ussd/catalog/index.js';
import { fitsUssdScreen, isGsm7, toGsm7Lookalike } from '../../../../src/gateway/ussd/gsm7.js';
import { fill, ScreenRules, screen } from '../../../../src/gateway/ussd/screen.js';
import { VENUES } from './support/in-memory-services.js';

/** Worst-case values: the longest venue names we know of, numbers at their widest. */
const WORST = {
  code: '*384*99#',
  example: '*384*99*1234#',
  awarded: 99999,
  total: 999999999,
  rank: 7600000,
  msisdn: '+2547*******678',
  days: '365 days',
  points: 999999999,
  board: 'Kilimani-Kileleshwa-Lavington Metropolitan Area',
};

const NAV: MessageKey[] = ['nav.more', 'nav.back'];
/** END screens stand alone; help pages carry a hint only when it fits (dialog.ts); every other screen may. */
const ALONE = new Set<MessageKey>(['busy', 'unconfirmed', 'throttled', 'expired', 'sorry', 'badnumber']);

function composed(c: Readonly<Record<MessageKey, string>>, key: MessageKey): string[] {
  if (ALONE.has(key)) return [c[key]];
  if (key.startsWith('help.')) return [c[key], ...NAV.map((n) => c[n])];
  return [c['hint.choice'], c[key], ...NAV.map((n) => c[n])];
}

describe('message catalog', () => {
  it('has the same keys in every language, none empty', () => {
    const keys = Object.keys(CATALOGS.en).sort();
    for (const lang of LANGUAGES) {
      expect(Object.keys(CATALOGS[lang]).sort()).toEqual(keys);
      for (const k of keys) expect(CATALOGS[lang][k as MessageKey].length).toBeGreaterThan(0);
    }
  });

  it('English is pure GSM-7 (so it gets 182 characters); Hindi needs UCS-2', () => {
    for (const [k, v] of Object.entries(CATALOGS.en)) expect(isGsm7(v), k).toBe(true);
    expect(isGsm7(CATALOGS.hi['menu.title'])).toBe(false);
  });

  it('every message, with a hint and navigation, fits one screen with realistic long venue names', () => {
    for (const lang of LANGUAGES) {
      const c = CATALOGS[lang];
      for (const key of Object.keys(c) as MessageKey[]) {
        for (const venue of VENUES.map((v) => v.name)) {
          const lines = composed(c, key);
          const text = screen(lines, { ...WORST, venue, city: venue });
          expect(fitsUssdScreen(text), `${lang} ${key}: ${text}`).toBe(true);
          // The fixed text must fit without cutting: only names may be shortened.
          const fixed = screen(lines, { ...WORST, venue: '', city: '' });
          expect(fixed, `${lang} ${key} fixed text`).not.toMatch(/\.\.$/);
        }
      }
    }
  });

  it('check-in results (every reward and standing variant) fit with the longest names', () => {
    for (const lang of LANGUAGES) {
      const c = CATALOGS[lang];
      for (const first of ['checkin.rewarded', 'checkin.repeat'] as const) {
        for (const standing of ['standing.rank', 'standing.norank', 'standing.stale'] as const) {
          for (const venue of VENUES.map((v) => v.name)) {
            const text = screen([c[first], c[standing], c['nav.menu']], { ...WORST, venue });
            expect(fitsUssdScreen(text), `${lang} ${first} ${standing}`).toBe(true);
            expect(text.endsWith(c['nav.menu'])).toBe(true);
          }
        }
      }
    }
  });

  it('a venue stays recognisable: at least 6 characters of its name, or its code when no more fit', () => {
    for (const lang of LANGUAGES) {
      const c = CATALOGS[lang];
      const screens: string[][] = [
        ...(['checkin.rewarded', 'checkin.repeat'] as const).flatMap((first) =>
          (['standing.rank', 'standing.norank', 'standing.stale'] as const).map((standing) => [c[first], c[standing], c['nav.menu']]),
        ),
        ...(['checkin.closed', 'skipper.show', 'skipper.you', 'skipper.none'] as const).map((k) => [c[k], c['nav.back']]),
      ];
      for (const lines of screens) {
        for (const v of VENUES) {
          const venue = toGsm7Lookalike(v.name);
          const byCode = fill(c['venue.code'], { code: v.code });
          const text = screen(lines, { ...WORST, venue }, { venue: byCode });
          expect(fitsUssdScreen(text)).toBe(true);
          expect(text.includes(venue.slice(0, 6)) || text.includes(byCode), `${lang} ${v.code}: ${text}`).toBe(true);
        }
      }
    }
  });

  it('fixed texts also fit the 160-character screens many operators advise', () => {
    const rules = new ScreenRules({ gsm7: 160, ucs2: 80 });
    for (const lang of LANGUAGES) {
      const c = CATALOGS[lang];
      for (const key of Object.keys(c) as MessageKey[]) {
        const text = rules.screen(composed(c, key), { ...WORST, venue: '', city: '' });
        expect(text, `${lang} ${key} at 160`).toBe(screen(composed(c, key), { ...WORST, venue: '', city: '' }));
        expect(rules.fits(text)).toBe(true);
      }
    }
  });
});
