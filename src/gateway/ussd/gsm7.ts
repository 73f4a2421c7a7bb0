/**
 * GSM 03.38 default alphabet. A USSD screen is 182 septets in GSM-7; one character outside
 * it (a curly quote, Devanagari) switches the whole screen to UCS-2, and then only 80
 * characters fit. Extension-table characters (`€ [ ] { } ^ ~ | \`) cost two septets.
 */
const BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const EXTENSION = '^{}\\[~]|€\f';

const COST = new Map<number, number>();
for (const ch of BASIC) COST.set(ch.codePointAt(0)!, 1);
for (const ch of EXTENSION) COST.set(ch.codePointAt(0)!, 2);

export const USSD_GSM7_LIMIT = 182;
export const USSD_UCS2_LIMIT = 80;
export const SMS_GSM7_LIMIT = 160;

/** Septets `text` takes in GSM-7, or `-1` when some character is outside GSM-7. */
export function gsm7Length(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = COST.get(text.charCodeAt(i));
    if (c === undefined) return -1;
    n += c;
  }
  return n;
}

export function isGsm7(text: string): boolean {
  return gsm7Length(text) >= 0;
}

/** UCS-2 length: UTF-16 code units (a character outside the BMP takes two). */
export function ucs2Length(text: string): number {
  return text.length;
}

/** Whether `text` fits one USSD screen of the standard's size in the encoding it needs. */
export function fitsUssdScreen(text: string): boolean {
  const g = gsm7Length(text);
  return g >= 0 ? g <= USSD_GSM7_LIMIT : ucs2Length(text) <= USSD_UCS2_LIMIT;
}

/** Characters venue and user names commonly carry that have a GSM-7 look-alike. */
const LOOKALIKE: Readonly<Record<string, string>> = {
  '\u2018': "'", '\u2019': "'", '\u201a': "'", '\u201b': "'", '\u2032': "'", '`': "'", '´': "'",
  '\u201c': '"', '\u201d': '"', '\u201e': '"', '\u2033': '"', '«': '"', '»': '"',
  '\u2013': '-', '\u2014': '-', '\u2012': '-', '\u2212': '-', '\u2010': '-', '\u2011': '-',
  '\u2026': '...', '\u00a0': ' ', '\u202f': ' ', '\u2009': ' ', '\t': ' ',
  'á': 'a', 'â': 'a', 'ã': 'a', 'ç': 'c', 'ê': 'e', 'ë': 'e', 'í': 'i', 'î': 'i', 'ï': 'i',
  'ó': 'o', 'ô': 'o', 'õ': 'o', 'ú': 'u', 'û': 'u', 'ý': 'y', 'ÿ': 'y', 'Á': 'A', 'À': 'A',
  'Â': 'A', 'Ã': 'A', 'È': 'E', 'Ê': 'E', 'Í': 'I', 'Ó': 'O', 'Ô': 'O', 'Ú': 'U',
};

/**
 * Replaces characters that have a GSM-7 look-alike, so one curly quote in a venue name
 * does not cut a screen from 182 to 80 characters. Others are kept (a name in Devanagari
 * stays readable, on the UCS-2 budget).
 */
export function toGsm7Lookalike(text: string): string {
  if (isGsm7(text)) return text;
  let out = '';
  for (const ch of text) out += LOOKALIKE[ch] ?? ch;
  return out;
}

/**
 * Cuts `text` to at most `units` (code units in UCS-2, septets in GSM-7 as `encoding`
 * says), marking the cut with `..`. Never splits a surrogate pair.
 */
export function truncateTo(text: string, units: number, encoding: 'gsm7' | 'ucs2'): string {
  const len = encoding === 'gsm7' ? gsm7Length(text) : ucs2Length(text);
  if (len <= units) return text;
  if (units <= 2) return '';
  const budget = units - 2;
  let used = 0;
  let i = 0;
  while (i < text.length) {
    const cp = text.codePointAt(i)!;
    const width = cp > 0xffff ? 2 : 1;
    const cost = encoding === 'gsm7' ? (COST.get(cp) ?? 1) : width;
    if (used + cost > budget) break;
    used += cost;
    i += width;
  }
  return text.slice(0, i).trimEnd() + '..';
}
