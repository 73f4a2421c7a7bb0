import { parsePhoneNumberFromString } from 'libphonenumber-js/mobile';
import { BoundedMap } from '../util/bounded-map.js';
import { err, ok, type Result } from './result.js';

/**
 * Normalises a subscriber number to E.164 (`+` and 8–15 digits), checked against the
 * numbering plans of every country: a number valid in no plan is refused rather than
 * stored as a subscriber who cannot exist.
 *
 * Accepted inputs: `+254712345678`, `00254712345678`, international form without a plus
 * (`254712345678`, or a number of another country: `233241234567` stays Ghanaian at a
 * Kenyan site), and national forms `0712345678` / `712345678` read in the country of
 * `defaultCountryCode` (a calling code). Spaces, dashes, dots and parentheses are ignored,
 * as operators' systems format numbers in all of these ways.
 *
 * The plans come from libphonenumber-js with its `mobile` metadata: a subscriber of a
 * USSD or SMS service has a mobile number, and this set validates exactly those (a
 * landline is refused; the `min` set checks lengths only and takes it), at 1.2× the cost
 * of `min` and 0.7× that of `max` (bench/msisdn-parse.js). Pure data and functions: no
 * I/O, so the core may use it.
 */
export function normaliseMsisdn(raw: unknown, defaultCountryCode: string): Result<string, string> {
  if (typeof raw !== 'string' && typeof raw !== 'number') return err('msisdn must be a string');
  const text = String(raw);
  if (text.length > 64) return err('msisdn must be 1–32 characters');
  // Parsing with the plans costs microseconds; every hop of a USSD session and every
  // check-in of a subscriber repeats the same number, so results are remembered, per
  // country code (one map each: no key to concatenate and hash per lookup).
  let cache = CACHES.get(defaultCountryCode);
  if (cache === undefined) CACHES.set(defaultCountryCode, (cache = new BoundedMap(CACHE_ENTRIES)));
  const hit = cache.get(text);
  if (hit !== undefined) return hit;
  const result = normaliseUncached(text, defaultCountryCode);
  cache.set(text, result);
  // The E.164 form is read again further in (the USSD engine, then the check-in use case):
  // it normalises to itself, so it is remembered too.
  if (result.ok && result.value !== text) cache.set(result.value, result);
  return result;
}

/**
 * Numbers remembered per country code (≈ 200 bytes each; a site has one code, and one per
 * dialect that names its own): a memo of a pure function, shared by all callers.
 */
const CACHE_ENTRIES = 20_000;
const CACHES = new Map<string, BoundedMap<string, Result<string, string>>>();

/**
 * Parses a few hundred numbers of three forms once, outside the cache: the library's first
 * calls run cold (≈ 20 ms for the first one), which a gateway's first USSD hop, answered
 * within `ussd.deadlineMs`, should not pay. Call once at start-up.
 */
export function warmUpNumberingPlans(defaultCountryCode: string): void {
  for (let i = 0; i < 100; i++) {
    const n = String(10_000_000 + i * 7919).slice(-8);
    normaliseUncached(`+2547${n}`, defaultCountryCode);
    normaliseUncached(`07${n}`, defaultCountryCode);
    normaliseUncached(`9199${n}`, defaultCountryCode);
  }
}

const INVALID = 'msisdn is not a valid mobile number in any country’s numbering plan';

function normaliseUncached(text: string, defaultCountryCode: string): Result<string, string> {
  let s = text.trim();
  if (s.length === 0 || s.length > 32) return err('msisdn must be 1–32 characters');
  s = s.replace(/[\s\-.()]/g, '');
  let international = false;
  if (s.startsWith('+')) {
    s = s.slice(1);
    international = true;
  } else if (s.startsWith('00')) {
    s = s.slice(2);
    international = true;
  }
  if (!/^[0-9]+$/.test(s)) return err('msisdn must contain only digits');
  if (international) return valid(`+${s}`) ?? err(INVALID);
  if (s.startsWith('0')) return national(s, defaultCountryCode) ?? err(INVALID);
  // Digits without a plus or a trunk prefix: the site's own country in international form,
  // a national number without its trunk prefix, or another country's international form —
  // in that order, the first that is valid in its plan.
  return (
    (s.startsWith(defaultCountryCode) ? valid(`+${s}`) : null) ??
    national(s, defaultCountryCode) ??
    valid(`+${s}`) ??
    err(INVALID)
  );
}

function valid(e164: string): Result<string, string> | null {
  const n = parsePhoneNumberFromString(e164);
  return n !== undefined && n.isValid() ? ok(n.number) : null;
}

function national(digits: string, callingCode: string): Result<string, string> | null {
  const n = parsePhoneNumberFromString(digits, { defaultCallingCode: callingCode });
  return n !== undefined && n.isValid() ? ok(n.number) : null;
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
