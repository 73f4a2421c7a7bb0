import type { CommitWatch } from '../../core/ports/checkin-store.port.js';
import { CATALOGS, HELP_PAGES, LANGUAGE_NAMES, type Language, type MessageKey } from './catalog/index.js';
import type { DialogState } from './dialog-state.js';
import { toGsm7Lookalike } from './gsm7.js';
import { maskMsisdn } from './mask.js';
import { fill, STANDARD_SCREEN, type ScreenRules, type Vars } from './screen.js';
import type { UssdReply } from './types.js';
import type { BoardKind, UssdCheckInOutcome, UssdCheckInRequest, UssdServices } from './ussd-services.port.js';

/** Per-hop facts the dialog needs; it never sees vendor fields. */
export interface DialogContext {
  readonly msisdn: string;
  readonly lang: Language;
  /** Idempotency scope of check-ins, e.g. `ussd:hubtel`. */
  readonly clientId: string;
  /** Idempotency key for a check-in made at this hop (session + hop). */
  readonly requestKey: string;
  readonly at: number;
  /** The request's deadline, for its check-in (see CommitWatch). */
  readonly watch?: CommitWatch;
  /** The code this subscriber dialled (a dialect may have its own); defaults to the option. */
  readonly serviceCode?: string;
  /** The HTTP request's id (log lines of the check-in's events). */
  readonly requestId?: string;
}

export interface DialogStep {
  readonly state: DialogState;
  readonly reply: UssdReply;
  /** The language after this hop (the language menu changes it). */
  readonly lang: Language;
}

export interface DialogOptions {
  /** The service code shown in help texts, e.g. `*384#`, unless the context names one. */
  readonly serviceCode: string;
  /**
   * Entries fetched for a leaderboard and paged with `98`.
   * @defaultValue 30
   */
  readonly boardSize?: number;
  /** Screen length rules. @defaultValue 182 GSM-7 / 80 UCS-2 */
  readonly screen?: ScreenRules;
}

/** Keypads send digits (some vendors pass letters through): 1–16 of them. */
const VENUE_CODE = /^[A-Za-z0-9]{1,16}$/;
const BACK = '0';
const MORE = '98';

/**
 * Navigation keys: repeating one on purpose is common (back, back; more, more) and
 * re-applying a resent one is harmless, so they are never taken for a resent hop.
 */
export function isNavigationInput(input: string): boolean {
  const t = input.trim();
  return t === BACK || t === MORE;
}
const MENU_ITEMS: readonly MessageKey[] = ['menu.checkin', 'menu.points', 'menu.top', 'menu.skipper', 'menu.help', 'menu.language'];
/** A Map: typed input such as `constructor` must not find Object.prototype's members. */
const BOARD_BY_CHOICE: ReadonlyMap<string, BoardKind> = new Map([
  ['1', 'global'],
  ['2', 'city'],
  ['3', 'week'],
]);

/**
 * The USSD menu as a state machine: `(state, input) → (state, screen)`. Main menu:
 * 1 check in, 2 my points, 3 top (global / my city / this week), 4 skipper of a venue,
 * 5 help, 6 language. `0` goes back, `98` shows more; anything unexpected re-prompts with
 * a hint and never ends the session by surprise.
 */
export class UssdDialog {
  private readonly boardSize: number;
  private readonly rules: ScreenRules;

  constructor(
    private readonly services: UssdServices,
    private readonly opts: DialogOptions,
  ) {
    this.boardSize = opts.boardSize ?? 30;
    this.rules = opts.screen ?? STANDARD_SCREEN;
  }

  /**
   * First hop. `ext` is the dialled extension: one venue code (`*384*123#`) checks in at
   * once and ends the session; otherwise the main menu (the caller feeds further
   * extension segments through `next`).
   */
  start(ctx: DialogContext, ext: readonly string[], early?: Promise<UssdCheckInOutcome>): Promise<DialogStep> | DialogStep {
    if (ext.length === 1) {
      const code = ext[0]!;
      if (VENUE_CODE.test(code)) return this.checkIn(ctx, code, true, early);
      return this.menu(ctx, 0, 'hint.code');
    }
    return this.menu(ctx, 0);
  }

  /**
   * The check-in a first hop with extension `ext` makes (a dial-through `*384*123#`),
   * started now; null when that first hop would make none. The engine starts it while the
   * session loads and hands the promise back to `start`, which renders its outcome.
   */
  dialThrough(ctx: Omit<DialogContext, 'lang'>, ext: readonly string[]): Promise<UssdCheckInOutcome> | null {
    if (ext.length !== 1 || !VENUE_CODE.test(ext[0]!)) return null;
    return this.services.checkIn(checkInRequest(ctx, ext[0]!));
  }

  next(ctx: DialogContext, state: DialogState, rawInput: string): Promise<DialogStep> | DialogStep {
    const input = rawInput.trim();
    switch (state.s) {
      case 'menu':
        return this.onMenu(ctx, state.page, input);
      case 'checkin.code':
        if (input === BACK) return this.menu(ctx, 0);
        if (VENUE_CODE.test(input)) return this.checkIn(ctx, input, false);
        return this.ask(ctx, 'checkin.code', 'checkin.ask', 'hint.code');
      case 'checkin.done':
      case 'skipper.done':
        if (input === BACK) return this.menu(ctx, 0);
        if (state.s === 'skipper.done' && VENUE_CODE.test(input)) return this.skipper(ctx, input);
        return this.menu(ctx, 0, 'hint.choice');
      case 'points':
        if (input === BACK) return this.menu(ctx, 0);
        return this.points(ctx, 'hint.choice');
      case 'top.choose': {
        if (input === BACK) return this.menu(ctx, 0);
        const board = BOARD_BY_CHOICE.get(input);
        if (board !== undefined) return this.board(ctx, board, 0);
        return this.topChoose(ctx, 'hint.choice');
      }
      case 'top.list':
        if (input === BACK) return this.topChoose(ctx);
        if (input === MORE) return this.board(ctx, state.board, state.page + 1);
        return this.board(ctx, state.board, state.page, 'hint.choice');
      case 'skipper.code':
        if (input === BACK) return this.menu(ctx, 0);
        if (VENUE_CODE.test(input)) return this.skipper(ctx, input);
        return this.ask(ctx, 'skipper.code', 'skipper.ask', 'hint.code');
      case 'help':
        if (input === BACK) return this.menu(ctx, 0);
        if (input === MORE) return this.help(ctx, state.page + 1);
        return this.help(ctx, state.page, 'hint.choice');
      case 'lang':
        if (input === BACK) return this.menu(ctx, 0);
        if (input === '1' || input === '2') return this.menu({ ...ctx, lang: input === '1' ? 'en' : 'hi' }, 0);
        return this.language(ctx, 'hint.choice');
      case 'end':
        return this.end(ctx, 'expired', { code: ctx.serviceCode ?? this.opts.serviceCode });
    }
  }

  /** The polite END screen for `busy` (deadline near, dependency down). */
  busy(lang: Language): UssdReply {
    return this.notice(lang, 'busy');
  }

  /** The END screen for a check-in sent but not confirmed by the deadline (it may count). */
  unconfirmed(lang: Language): UssdReply {
    return this.notice(lang, 'unconfirmed');
  }

  /** The polite END screen for a request that reached us but cannot be served. */
  sorry(lang: Language): UssdReply {
    return this.notice(lang, 'sorry');
  }

  /** A polite END screen with one catalog message (expired, bad number …). */
  notice(lang: Language, key: MessageKey, vars: Vars = {}): UssdReply {
    return { text: this.rules.screen([CATALOGS[lang][key]], vars), end: true };
  }

  private onMenu(ctx: DialogContext, page: number, input: string): Promise<DialogStep> | DialogStep {
    switch (input) {
      case '1':
        return this.ask(ctx, 'checkin.code', 'checkin.ask');
      case '2':
        return this.points(ctx);
      case '3':
        return this.topChoose(ctx);
      case '4':
        return this.ask(ctx, 'skipper.code', 'skipper.ask');
      case '5':
        return this.help(ctx, 0);
      case '6':
        return this.language(ctx);
      case MORE:
        return this.menu(ctx, page + 1);
      case BACK:
        return this.menu(ctx, 0);
      default:
        return this.menu(ctx, page, 'hint.choice');
    }
  }

  private menu(ctx: DialogContext, page: number, hint?: MessageKey): DialogStep {
    const c = CATALOGS[ctx.lang];
    const p = this.rules.paginate(c[hint ?? 'menu.title'], MENU_ITEMS.map((k) => c[k]), c['nav.more'], '', page);
    return { state: { s: 'menu', page: p.page }, reply: { text: p.text, end: false }, lang: ctx.lang };
  }

  private ask(ctx: DialogContext, s: 'checkin.code' | 'skipper.code', prompt: MessageKey, hint?: MessageKey): DialogStep {
    const c = CATALOGS[ctx.lang];
    const lines = hint ? [c[hint], c[prompt], c['nav.back']] : [c[prompt], c['nav.back']];
    return { state: { s }, reply: { text: this.rules.screen(lines), end: false }, lang: ctx.lang };
  }

  private async checkIn(ctx: DialogContext, code: string, dialThrough: boolean, early?: Promise<UssdCheckInOutcome>): Promise<DialogStep> {
    const outcome = await (early ?? this.services.checkIn(checkInRequest(ctx, code)));
    const c = CATALOGS[ctx.lang];
    switch (outcome.kind) {
      case 'busy':
        return this.end(ctx, 'busy');
      case 'unconfirmed':
        return this.end(ctx, 'unconfirmed');
      case 'bad-number':
        return this.end(ctx, 'badnumber');
      case 'unknown-venue':
        return this.codeRetry(ctx, [c['checkin.unknown'], c['nav.back']], { code });
      case 'closed':
        return this.codeRetry(ctx, [c['checkin.closed'], c['nav.back']], { venue: toGsm7Lookalike(outcome.venueName) }, byCode(c, code));
      case 'ok': {
        const lines = [...checkInLines(c, outcome), ...(dialThrough ? [] : [c['nav.menu']])];
        const text = this.rules.screen(
          lines,
          { venue: toGsm7Lookalike(outcome.venueName), total: outcome.total ?? 0, rank: outcome.rank ?? 0 },
          byCode(c, code),
        );
        return { state: dialThrough ? { s: 'end' } : { s: 'checkin.done' }, reply: { text, end: dialThrough }, lang: ctx.lang };
      }
    }
  }

  /** An unknown or closed venue re-prompts for a code (also after a dial-through). */
  private codeRetry(ctx: DialogContext, lines: readonly string[], vars: Vars, fallbacks?: Vars): DialogStep {
    return { state: { s: 'checkin.code' }, reply: { text: this.rules.screen(lines, vars, fallbacks), end: false }, lang: ctx.lang };
  }

  private async points(ctx: DialogContext, hint?: MessageKey): Promise<DialogStep> {
    const outcome = await this.services.standing(ctx.msisdn);
    if (outcome.kind === 'busy') return this.end(ctx, 'busy');
    if (outcome.kind === 'bad-number') return this.end(ctx, 'badnumber');
    const c = CATALOGS[ctx.lang];
    const body = outcome.total > 0 && outcome.rank !== null ? c['points.show'] : c['points.none'];
    const lines = hint ? [c[hint], body, c['nav.back']] : [body, c['nav.back']];
    return {
      state: { s: 'points' },
      reply: { text: this.rules.screen(lines, { total: outcome.total, rank: outcome.rank ?? 0 }), end: false },
      lang: ctx.lang,
    };
  }

  private topChoose(ctx: DialogContext, hint?: MessageKey): DialogStep {
    const c = CATALOGS[ctx.lang];
    const lines = [c[hint ?? 'top.title'], c['top.global'], c['top.city'], c['top.week'], c['nav.back']];
    return { state: { s: 'top.choose' }, reply: { text: this.rules.screen(lines), end: false }, lang: ctx.lang };
  }

  private async board(ctx: DialogContext, board: BoardKind, page: number, hint?: MessageKey): Promise<DialogStep> {
    const outcome = await this.services.board(board, ctx.msisdn, this.boardSize);
    if (outcome.kind === 'busy') return this.end(ctx, 'busy');
    if (outcome.kind === 'bad-number') return this.end(ctx, 'badnumber');
    const c = CATALOGS[ctx.lang];
    if (outcome.kind === 'no-city' || outcome.entries.length === 0) {
      const body = outcome.kind === 'no-city' ? c['top.nocity'] : c['top.empty'];
      return { state: { s: 'top.list', board, page: 0 }, reply: { text: this.rules.screen([body, c['nav.back']]), end: false }, lang: ctx.lang };
    }
    const title = board === 'city' ? toGsm7Lookalike(titleCase(outcome.city ?? '')) : stripChoice(c[board === 'global' ? 'top.global' : 'top.week']);
    const head = hint ? c[hint] : this.rules.screen([c['top.head']], { board: title });
    const items = outcome.entries.map((e) => this.rules.screen([c['top.entry']], { rank: e.rank, msisdn: maskMsisdn(e.msisdn), points: e.points }));
    const p = this.rules.paginate(head, items, c['nav.more'], c['nav.back'], page);
    return { state: { s: 'top.list', board, page: p.page }, reply: { text: p.text, end: false }, lang: ctx.lang };
  }

  private async skipper(ctx: DialogContext, code: string): Promise<DialogStep> {
    const outcome = await this.services.skipper(code, ctx.msisdn);
    if (outcome.kind === 'busy') return this.end(ctx, 'busy');
    const c = CATALOGS[ctx.lang];
    if (outcome.kind === 'unknown-venue') {
      const text = this.rules.screen([c['checkin.unknown'], c['nav.back']], { code });
      return { state: { s: 'skipper.code' }, reply: { text, end: false }, lang: ctx.lang };
    }
    const key: MessageKey = outcome.skipper === null ? 'skipper.none' : outcome.you ? 'skipper.you' : 'skipper.show';
    const text = this.rules.screen(
      [c[key], c['nav.back']],
      {
        venue: toGsm7Lookalike(outcome.venueName),
        msisdn: outcome.skipper ? maskMsisdn(outcome.skipper.msisdn) : '',
        days: dayCount(c, outcome.skipper?.days ?? 0),
      },
      byCode(c, code),
    );
    return { state: { s: 'skipper.done' }, reply: { text, end: false }, lang: ctx.lang };
  }

  /**
   * A help page. With `hint` (invalid input), the hint goes first when the page still fits
   * whole with it; long pages (Hindi's 80 UCS-2 characters, 160-character operators) are
   * shown again without it rather than cut.
   */
  private help(ctx: DialogContext, page: number, hint?: MessageKey): DialogStep {
    const c = CATALOGS[ctx.lang];
    const p = Math.max(0, Math.min(page, HELP_PAGES.length - 1));
    const more = p < HELP_PAGES.length - 1;
    const lines = [c[HELP_PAGES[p]!], ...(more ? [c['nav.more']] : []), c['nav.back']];
    const code = ctx.serviceCode ?? this.opts.serviceCode;
    const vars = { code, example: code.replace(/#$/, '') + '*123#' };
    const hinted = hint !== undefined ? fill([c[hint], ...lines].join('\n'), vars) : undefined;
    const text = hinted !== undefined && this.rules.fits(hinted) ? hinted : this.rules.screen(lines, vars);
    return { state: { s: 'help', page: p }, reply: { text, end: false }, lang: ctx.lang };
  }

  private language(ctx: DialogContext, hint?: MessageKey): DialogStep {
    const c = CATALOGS[ctx.lang];
    const lines = [c[hint ?? 'lang.title'], `1 ${LANGUAGE_NAMES.en}`, `2 ${LANGUAGE_NAMES.hi}`, c['nav.back']];
    return { state: { s: 'lang' }, reply: { text: this.rules.screen(lines), end: false }, lang: ctx.lang };
  }

  private end(ctx: DialogContext, key: MessageKey, vars: Vars = {}): DialogStep {
    return { state: { s: 'end' }, reply: this.notice(ctx.lang, key, vars), lang: ctx.lang };
  }
}

type OkCheckIn = Extract<UssdCheckInOutcome, { kind: 'ok' }>;

function checkInRequest(ctx: Omit<DialogContext, 'lang'>, code: string): UssdCheckInRequest {
  return { msisdn: ctx.msisdn, venueCode: code, channel: 'ussd', clientId: ctx.clientId, requestKey: ctx.requestKey, at: ctx.at, watch: ctx.watch, requestId: ctx.requestId };
}

/**
 * The check-in result, saying only what is known: a rewarded check-in's award is decided
 * after the commit, so its screen says how the subscriber will learn it (by SMS, or in
 * "My points" shortly) and shows no total that would leave it out. A repeat visit earns
 * nothing: its screen shows the standing (or that it is stale).
 */
function checkInLines(c: Readonly<Record<MessageKey, string>>, o: OkCheckIn): string[] {
  if (o.rewarded) return [c['checkin.rewarded'], c[o.confirmedBySms ? 'checkin.sms' : 'checkin.later']];
  const standing = o.total === null ? c['standing.stale'] : o.rank === null ? c['standing.norank'] : c['standing.rank'];
  return [c['checkin.repeat'], standing];
}

/** `1 day`, `12 days`: the catalog's own plural forms. */
function dayCount(c: Readonly<Record<MessageKey, string>>, n: number): string {
  return fill(c[n === 1 ? 'days.one' : 'days.other'], { n });
}

/** A venue named by its code (`venue 123`), for when too little of its name would fit. */
function byCode(c: Readonly<Record<MessageKey, string>>, code: string): Vars {
  return { venue: fill(c['venue.code'], { code }) };
}

function stripChoice(item: string): string {
  return item.replace(/^\d+\s+/, '');
}

function titleCase(s: string): string {
  return s.replace(/(^|[\s-])(\p{L})/gu, (_, sep: string, ch: string) => sep + ch.toUpperCase());
}
