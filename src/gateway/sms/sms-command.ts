/**
 * Mobile-originated SMS commands: `CHECKIN <venue>`, `POINTS`, `TOP`, `HELP`, in any case,
 * with any spacing (`  checkin   123 `, `Check-in 123`, `CHECK IN 123`).
 */
export type SmsCommand =
  | { readonly kind: 'checkin'; readonly venueCode: string }
  | { readonly kind: 'checkin-usage' }
  | { readonly kind: 'points' }
  | { readonly kind: 'top' }
  | { readonly kind: 'help' }
  | { readonly kind: 'unknown' };

const VENUE_CODE = /^[A-Za-z0-9]{1,16}$/;

export function parseSmsCommand(text: string): SmsCommand {
  const words = text.trim().split(/\s+/).filter((w) => w.length > 0);
  if (words.length === 0) return { kind: 'help' };
  let verb = words[0]!.toUpperCase().replace(/[-_.:]/g, '');
  let rest = words.slice(1);
  if (verb === 'CHECK' && rest[0]?.toUpperCase() === 'IN') {
    verb = 'CHECKIN';
    rest = rest.slice(1);
  }
  switch (verb) {
    case 'CHECKIN': {
      const code = rest[0];
      if (rest.length !== 1 || code === undefined || !VENUE_CODE.test(code)) return { kind: 'checkin-usage' };
      return { kind: 'checkin', venueCode: code };
    }
    case 'POINTS':
      return rest.length === 0 ? { kind: 'points' } : { kind: 'unknown' };
    case 'TOP':
      return rest.length === 0 ? { kind: 'top' } : { kind: 'unknown' };
    case 'HELP':
      return { kind: 'help' };
    default:
      return { kind: 'unknown' };
  }
}
