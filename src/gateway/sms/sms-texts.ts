import { gsm7Length, SMS_GSM7_LIMIT, toGsm7Lookalike, truncateTo } from '../ussd/gsm7.js';
import { fill, type Vars } from '../ussd/screen.js';

/**
 * SMS replies. English and GSM-7 only: a reply must fit one 160-character SMS, and one
 * non-GSM character would cut that to 70. Names are mapped to GSM-7 look-alikes and any
 * other character becomes `?`.
 */
export const SMS_TEXTS = {
  'rewarded.sms': 'Checked in at {venue}! You earned points: an SMS will say how many and your new total.',
  'rewarded.later': 'Checked in at {venue}! You earned points. Send POINTS in a minute to see them.',
  repeat: 'Checked in at {venue}. Already rewarded there today, no new points. {standing}',
  'standing.rank': 'Total {total} points, rank #{rank}.',
  'standing.norank': 'Total {total} points.',
  'standing.stale': 'Your total will update shortly.',
  unknownVenue: 'No venue has code {code}. Send CHECKIN <venue code>, e.g. CHECKIN 123.',
  closed: '{venue} is closed now. Try another venue.',
  usage: 'To check in, send CHECKIN <venue code>, e.g. CHECKIN 123.',
  points: 'You have {total} points. Your rank: #{rank}.',
  noPoints: 'No points credited yet. Send CHECKIN <venue code> at a venue to earn points: they are credited shortly after.',
  topHead: 'Top players:',
  topEmpty: 'Nobody is on the leaderboard yet. Send CHECKIN <venue code> to be first!',
  help: 'Hopgate: CHECKIN <venue code> to check in, POINTS for your points, TOP for the leaderboard. Or dial {code}.',
  unknown: 'Sorry, we did not understand. Send HELP for the commands.',
  busy: 'Sorry, we are busy right now. Please try again in a minute.',
  // Sent but not confirmed in time: it may count, so no "try again".
  unconfirmed: 'We could not confirm your check-in in time. It may still count: send POINTS in a few minutes before checking in again.',
  throttled: 'Too many messages from your number. Please wait a minute and try again.',
  badNumber: 'Sorry, this service is not available for your number.',
} as const;

export type SmsTextKey = keyof typeof SMS_TEXTS;

export function toGsm7Strict(text: string): string {
  const t = toGsm7Lookalike(text);
  if (gsm7Length(t) >= 0) return t;
  let out = '';
  for (const ch of t) out += gsm7Length(ch) >= 0 ? ch : '?';
  return out;
}

/** Fills a reply, shortening `{venue}` to keep it within one SMS. */
export function smsText(key: SmsTextKey, vars: Vars = {}): string {
  const venue = typeof vars.venue === 'string' ? toGsm7Strict(vars.venue) : undefined;
  const full = toGsm7Strict(fill(SMS_TEXTS[key], { ...vars, ...(venue !== undefined ? { venue } : {}) }));
  const over = gsm7Length(full) - SMS_GSM7_LIMIT;
  if (over <= 0) return full;
  if (venue !== undefined) {
    const shorter = truncateTo(venue, Math.max(0, gsm7Length(venue) - over), 'gsm7');
    const again = toGsm7Strict(fill(SMS_TEXTS[key], { ...vars, venue: shorter }));
    if (gsm7Length(again) <= SMS_GSM7_LIMIT) return again;
  }
  return truncateTo(full, SMS_GSM7_LIMIT, 'gsm7');
}
