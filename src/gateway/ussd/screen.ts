import { gsm7Length, truncateTo, USSD_GSM7_LIMIT, USSD_UCS2_LIMIT } from './gsm7.js';

export type Vars = Readonly<Record<string, string | number>>;

/** Placeholders that may be shortened (with `..`) to make a screen fit; never numbers. */
const SHRINKABLE = ['venue', 'city', 'board'] as const;

/**
 * A name shortened to fewer characters than this is no longer recognisable; when the caller
 * gives a fallback for it (a venue's code), the fallback is shown instead. It happens when a
 * name outside GSM-7 turns a GSM-7 screen into an 80-character UCS-2 one.
 */
const MIN_NAME_CHARS = 6;

const PLACEHOLDER = /\{([a-z]+)\}/g;

export function fill(template: string, vars: Vars): string {
  if (!template.includes('{')) return template;
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const v = vars[name];
    return v === undefined ? whole : String(v);
  });
}

export interface ScreenLimits {
  /** Septets per screen in GSM-7. @defaultValue 182 */
  readonly gsm7: number;
  /** Characters per screen when UCS-2 is needed. @defaultValue 80 */
  readonly ucs2: number;
}

export interface Page {
  readonly text: string;
  /** The page actually shown (clamped to the last page). */
  readonly page: number;
  readonly hasMore: boolean;
}

/**
 * Screen length rules for one deployment: 182 GSM-7 septets or 80 UCS-2 characters by
 * default; operators that advise less (often 160) configure less.
 */
export class ScreenRules {
  constructor(readonly limits: ScreenLimits) {}

  fits(text: string): boolean {
    const g = gsm7Length(text);
    return g >= 0 ? g <= this.limits.gsm7 : text.length <= this.limits.ucs2;
  }

  /**
   * Joins `lines` (templates) into one screen and fills `vars`. When the result is too long,
   * the longest shrinkable value (a venue or city name) is shortened just enough. As a last
   * resort the screen itself is cut, so a screen never overflows; the catalog test proves
   * the fixed texts leave room, so that does not happen at the default limits.
   *
   * `fallbacks` name a value by other means (`venue 123`) for when fewer than
   * `MIN_NAME_CHARS` of it would be left.
   */
  screen(lines: readonly string[], vars: Vars = {}, fallbacks: Vars = {}): string {
    const template = lines.join('\n');
    let text = fill(template, vars);
    if (this.fits(text)) return text;
    const m = this.measure(text);
    let longest: (typeof SHRINKABLE)[number] | undefined;
    for (const k of SHRINKABLE) {
      const v = vars[k];
      if (typeof v === 'string' && template.includes(`{${k}}`) && (longest === undefined || v.length > String(vars[longest]).length)) longest = k;
    }
    if (longest !== undefined) {
      const value = String(vars[longest]);
      const valueLen = m.encoding === 'gsm7' ? Math.max(0, gsm7Length(value)) : value.length;
      const occurrences = template.split(`{${longest}}`).length - 1;
      const keep = Math.max(0, valueLen - Math.ceil((m.len - m.limit) / occurrences));
      const fallback = fallbacks[longest];
      if (fallback !== undefined && keep - 2 < MIN_NAME_CHARS) return this.screen(lines, { ...vars, [longest]: fallback });
      text = fill(template, { ...vars, [longest]: truncateTo(value, keep, m.encoding) });
      if (this.fits(text)) return text;
    }
    const again = this.measure(text);
    return truncateTo(text, again.limit, again.encoding);
  }

  /**
   * Pages a list: `head`, as many `items` as fit, then `more` (when items remain) and
   * `foot`. Page boundaries are recomputed from the same inputs each hop, so the state
   * only needs the page number.
   */
  paginate(head: string, items: readonly string[], more: string, foot: string, page: number): Page {
    const starts: number[] = [0];
    let i = 0;
    while (i < items.length) {
      const pageStart = i;
      const chosen: string[] = [];
      while (i < items.length) {
        const tail = i === items.length - 1 ? [foot] : [more, foot];
        const candidate = [head, ...chosen, items[i]!, ...tail].filter((l) => l.length > 0).join('\n');
        const fits = this.fits(candidate);
        if (!fits && chosen.length > 0) break;
        chosen.push(items[i]!);
        i++;
        if (!fits) break; // a single oversized item gets a page of its own
      }
      if (i < items.length && i > pageStart) starts.push(i);
    }
    const last = starts.length - 1;
    const p = Math.max(0, Math.min(page, last));
    const from = starts[p]!;
    const to = p < last ? starts[p + 1]! : items.length;
    const lines = [head, ...items.slice(from, to), ...(p < last ? [more] : []), foot].filter((l) => l.length > 0);
    return { text: this.screen(lines), page: p, hasMore: p < last };
  }

  /** Units `text` occupies and the screen limit of the encoding it needs. */
  private measure(text: string): { len: number; limit: number; encoding: 'gsm7' | 'ucs2' } {
    const g = gsm7Length(text);
    return g >= 0 ? { len: g, limit: this.limits.gsm7, encoding: 'gsm7' } : { len: text.length, limit: this.limits.ucs2, encoding: 'ucs2' };
  }
}

/** The limits of the USSD standard: 182 GSM-7 septets, 80 UCS-2 characters. */
export const STANDARD_SCREEN = new ScreenRules({ gsm7: USSD_GSM7_LIMIT, ucs2: USSD_UCS2_LIMIT });

export function screen(lines: readonly string[], vars: Vars = {}, fallbacks: Vars = {}): string {
  return STANDARD_SCREEN.screen(lines, vars, fallbacks);
}

export function paginate(head: string, items: readonly string[], more: string, foot: string, page: number): Page {
  return STANDARD_SCREEN.paginate(head, items, more, foot, page);
}
