import { err, ok, type Result } from './result.js';

/**
 * Normalises a subscriber number to E.164 without the plus sign's ambiguity:
 * the result always starts with `+` followed by 8–15 digits.
 *
 * Accepted inputs: `+254712345678`, `254712345678`, `00254712345678`, and national forms
 * `0712345678` / `712345678` (prefixed with `defaultCountryCode`). Spaces, dashes, dots and
 * parentheses are ignored, as operators' systems format numbers in all of these ways.
 */
export function normaliseMsisdn(raw: unknown, defaultCountryCode: string): Result<string, string> {
  if (typeof raw !== 'string' && typeof raw !== 'number') return err('msisdn must be a string');
  let s = String(raw).trim();
  if (s.length === 0 || s.length > 32) return err('msisdn must be 1–32 characters');
  s = s.replace(/[\s\-.()]/g, '');
  let international: boolean;
  if (s.startsWith('+')) {
    s = s.slice(1);
    international = true;
  } else if (s.startsWith('00')) {
    s = s.slice(2);
    international = true;
  } else {
    international = s.startsWith(defaultCountryCode) && s.length > 10;
  }
  if (!/^[0-9]+$/.test(s)) return err('msisdn must contain only digits');
  if (!international) s = defaultCountryCode + s.replace(/^0+/, '');
  if (s.startsWith('0')) return err('msisdn country code cannot start with 0');
  if (s.length < 8 || s.length > 15) return err('msisdn must have 8–15 digits in E.164 form');
  return ok('+' + s);
}

/**
 * Shows a number without giving it away: `+254712345678` → `+2547****678` (USSD leaderboards,
 * logs, the access log). Keeps the country and operator prefix for triage, the last three
 * digits to tell two subscribers apart in one incident.
 */
export function maskMsisdn(msisdn: string): string {
  if (msisdn.length <= 6) return '***' + msisdn.slice(-2);
  const head = msisdn.slice(0, Math.min(5, msisdn.length - 6));
  return head + '*'.repeat(msisdn.length - head.length - 3) + msisdn.slice(-3);
}

/**
 * Runs of 8–15 digits, optionally after `+`, not inside a longer digit run: every E.164
 * number and national form, but not a check-in id (17–19 digits) nor short codes and venue ids.
 */
const NUMBER_RUN = /(?<!\d)\+?\d{8,15}(?!\d)/g;

/** Masks every number-like run in free text (error messages, URLs, log strings). */
export function maskNumbersIn(text: string): string {
  NUMBER_RUN.lastIndex = 0;
  return NUMBER_RUN.test(text) ? text.replace(NUMBER_RUN, maskMsisdn) : text;
}
