/** Languages of the USSD/SMS catalog. English is GSM-7; Hindi proves the UCS-2 path. */
export const LANGUAGES = ['en', 'hi'] as const;
export type Language = (typeof LANGUAGES)[number];

export function isLanguage(v: unknown): v is Language {
  return v === 'en' || v === 'hi';
}

/**
 * Every message of the USSD dialog. `{name}` placeholders are filled by `screen.ts`;
 * `{venue}`, `{city}` and `{board}` may be shortened to make a screen fit (never numbers or codes).
 */
export type MessageKey =
  | 'menu.title'
  | 'menu.checkin'
  | 'menu.points'
  | 'menu.top'
  | 'menu.skipper'
  | 'menu.help'
  | 'menu.language'
  | 'nav.back'
  | 'nav.more'
  | 'nav.menu'
  | 'hint.choice'
  | 'hint.code'
  | 'checkin.ask'
  | 'checkin.unknown'
  | 'checkin.closed'
  | 'checkin.rewarded'
  | 'checkin.sms'
  | 'checkin.later'
  | 'checkin.repeat'
  | 'standing.rank'
  | 'standing.norank'
  | 'standing.stale'
  | 'points.show'
  | 'points.none'
  | 'venue.code'
  | 'top.title'
  | 'top.global'
  | 'top.city'
  | 'top.week'
  | 'top.head'
  | 'top.entry'
  | 'top.empty'
  | 'top.nocity'
  | 'skipper.ask'
  | 'skipper.show'
  | 'skipper.you'
  | 'skipper.none'
  | 'days.one'
  | 'days.other'
  | 'help.1'
  | 'help.2'
  | 'help.3'
  | 'lang.title'
  | 'busy'
  | 'unconfirmed'
  | 'throttled'
  | 'expired'
  | 'sorry'
  | 'badnumber';

export type Catalog = Readonly<Record<MessageKey, string>>;

/** Help pages in order; shown one per screen with `98` for the next. */
export const HELP_PAGES: readonly MessageKey[] = ['help.1', 'help.2', 'help.3'];
