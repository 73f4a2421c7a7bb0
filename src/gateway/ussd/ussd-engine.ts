import type { CommitWatch } from '../../core/ports/checkin-store.port.js';
import { createHash } from 'node:crypto';
import { normaliseMsisdn } from '../../core/msisdn.js';
import type { Language } from './catalog/index.js';
import { dialledExtension, dialSegments, looksDialled } from './dial-string.js';
import { isNavigationInput, type DialogContext, type DialogStep, type UssdDialog } from './dialog.js';
import type { UssdSession, UssdSessionStore } from './session.js';
import type { UssdCheckInOutcome } from './ussd-services.port.js';
import type { UssdReply, UssdRequest } from './types.js';

export interface UssdEngineOptions {
  readonly serviceCode: string;
  readonly defaultLanguage: Language;
  readonly defaultCountryCode: string;
  /**
   * For vendors with neither cumulative input nor a hop counter: the same input again
   * within this window is a resend of the last hop, not a new one.
   * @defaultValue 5000
   */
  readonly resendWindowMs?: number;
  /** Called with failures that were turned into a polite reply (for logs/metrics). */
  readonly onError?: (where: 'load' | 'save' | 'remove', error: unknown) => void;
}

/** More path elements than any menu needs: a cumulative `text` beyond it is refused. */
const MAX_PATH = 24;
const MAX_KEY = 96;
const CLOSED: UssdReply = Object.freeze({ text: '', end: true });

/**
 * Serves one canonical hop: finds the session, recognises resent hops and duplicate starts
 * (same screen, never a second check-in), runs the dialog, stores the session.
 *
 * Idempotency of check-ins does not depend on this node's view: the check-in's request key
 * is `<sessionKey>:<nonce>:<hop>`, so two nodes serving the same hop at once commit one row.
 */
export class UssdEngine {
  private readonly resendWindowMs: number;
  private readonly onSaveError: (e: unknown) => void;

  constructor(
    private readonly dialog: UssdDialog,
    private readonly store: UssdSessionStore,
    private readonly opts: UssdEngineOptions,
  ) {
    this.resendWindowMs = opts.resendWindowMs ?? 5000;
    this.onSaveError = (e) => this.opts.onError?.('save', e);
  }

  /**
   * @param serviceCode the code of the dialect that sent `req`, when it differs from
   *   `ussd.serviceCode` (aggregators in different countries give different codes)
   * @param watch the request's deadline, for a check-in it makes (see CommitWatch)
   */
  async handle(req: UssdRequest, now: number, serviceCode: string = this.opts.serviceCode, watch?: CommitWatch): Promise<UssdReply> {
    const key = boundedKey(req.sessionKey);
    if (req.kind !== 'hop') return this.close(req.vendor, key);
    const msisdn = normaliseMsisdn(req.msisdn, this.opts.defaultCountryCode);
    if (!msisdn.ok) return this.politeEnd(this.opts.defaultLanguage, 'badnumber');

    const base = { msisdn: msisdn.value, clientId: clientIdOf(req.vendor), at: now, serviceCode, watch, requestId: req.requestId };
    const early = this.earlyDialThrough(req, key, base, serviceCode);
    let loaded;
    try {
      loaded = await this.store.load(req.vendor, key, msisdn.value);
    } catch (e) {
      this.opts.onError?.('load', e);
      // A dial-through needs no session: its check-in is keyed by the vendor's session id.
      if (early === null) return this.dialog.busy(this.opts.defaultLanguage);
      loaded = { session: null, lang: null };
    }
    let session = loaded.session;
    const lang = session?.lang ?? loaded.lang ?? this.opts.defaultLanguage;

    if (session !== null && req.isNew === true && !isDuplicateStart(req, session, now, this.resendWindowMs)) {
      session = null; // a new dial under a reused key (vendors keyed on the MSISDN)
    }
    if (session !== null && isResend(req, session, now, this.resendWindowMs)) return session.reply;

    let result: { step: DialogStep; consumed: number; nonce: string; startInput: string; hops: number };
    if (session === null) {
      const ext = this.extension(req, serviceCode);
      if (ext === null) return this.politeEnd(lang, 'expired', { code: serviceCode });
      const nonce = req.sessionKey === req.msisdn ? await this.startNonce(req.vendor, key, req.input, now) : '0';
      const ctx = { ...base, lang, requestKey: requestKey(key, nonce, ext.length) };
      let step = await this.dialog.start(ctx, ext.length === 1 ? ext : [], early ?? undefined);
      // A dial-through (one segment) was answered by `start`; longer extensions are fed on.
      if (ext.length > 1) step = (await this.feed(base, key, nonce, step, ext, 0)).step;
      result = { step, consumed: ext.length, nonce, startInput: req.input, hops: 1 };
    } else {
      const inputs = req.path !== null ? req.path.slice(session.step) : [req.input];
      if (inputs.length > MAX_PATH) return this.politeEnd(lang, 'sorry');
      const first: DialogStep = { state: session.state, reply: session.reply, lang };
      const fed = await this.feed(base, key, session.nonce, first, inputs, session.step);
      result = { step: fed.step, consumed: fed.consumed, nonce: session.nonce, startInput: session.startInput, hops: session.hops + 1 };
    }

    const next: UssdSession = {
      nonce: result.nonce,
      state: result.step.state,
      step: result.consumed,
      hops: result.hops,
      startInput: result.startInput,
      lastInput: req.input,
      lastTag: req.hopTag,
      lastAt: now,
      reply: result.step.reply,
      lang: result.step.lang,
    };
    const remember = result.step.lang !== lang ? { msisdn: msisdn.value, lang: result.step.lang } : undefined;
    if (next.reply.end) {
      // Nothing follows an END screen but, perhaps, a resend: the stored copy serves it, and
      // if a resend outruns the write, the check-in's idempotency key still makes it one.
      // No reply waits for this write, so the store may send it with its next batch.
      this.store.saveLater(req.vendor, key, next, remember).catch(this.onSaveError);
      return next.reply;
    }
    try {
      await this.store.save(req.vendor, key, next, remember);
    } catch (e) {
      this.onSaveError(e);
      // Without a stored session the next hop would find nothing: end now, politely.
      return this.dialog.busy(lang);
    }
    return next.reply;
  }

  /**
   * Starts a dial-through's check-in before the session is loaded, when the request alone
   * shows it: the dialled string (not typed input) names one venue, on a session's first
   * hop, and the check-in's request key (`<session id>:0:1`) does not depend on the
   * session. A resend of that hop repeats the key, so whatever the session says afterwards
   * — new, or this hop already answered — the writer keeps one check-in. Vendors keyed on
   * the MSISDN are left out: their first hops get a fresh nonce, known only after the load.
   * The session load and the commit then overlap instead of following each other.
   */
  private earlyDialThrough(
    req: UssdRequest,
    key: string,
    base: Omit<DialogContext, 'lang' | 'requestKey'>,
    serviceCode: string,
  ): Promise<UssdCheckInOutcome> | null {
    if (req.sessionKey === req.msisdn) return null;
    let ext: string[] | null;
    if (req.path !== null) {
      // Cumulative vendors: a first hop's path is the dialled extension alone (no text yet).
      ext = req.path.length === 1 ? dialledExtension(req.serviceCode, serviceCode) : null;
      if (ext === null || ext.length !== 1 || ext[0] !== req.path[0]) return null;
    } else {
      if (req.isNew !== true) return null;
      ext = this.extension(req, serviceCode);
      if (ext === null) return null;
    }
    const early = this.dialog.dialThrough({ ...base, requestKey: requestKey(key, '0', 1) }, ext);
    // Not awaited when the hop turns out to be a resend (its reply is stored): never unhandled.
    early?.catch(() => undefined);
    return early;
  }

  /**
   * The nonce of a new session keyed on the MSISDN: its start time, unless a duplicate of
   * this start claimed one first (within the resend window) — then that one, so both get
   * the same check-in key and the same screen. Without the claim, the start time.
   */
  private async startNonce(vendor: string, key: string, startInput: string, now: number): Promise<string> {
    const nonce = now.toString(36);
    try {
      return await this.store.claimStart(vendor, key, startInput, nonce, this.resendWindowMs);
    } catch (e) {
      this.opts.onError?.('load', e);
      return nonce;
    }
  }

  /** Feeds inputs one hop at a time (several when a cumulative path jumped ahead). */
  private async feed(
    base: Omit<DialogContext, 'lang' | 'requestKey'>,
    key: string,
    nonce: string,
    from: DialogStep,
    inputs: readonly string[],
    startStep: number,
  ): Promise<{ step: DialogStep; consumed: number }> {
    let step = from;
    let consumed = startStep;
    for (const input of inputs) {
      consumed++;
      const ctx = { ...base, lang: step.lang, requestKey: requestKey(key, nonce, consumed) };
      step = await this.dialog.next(ctx, step.state, input);
      if (step.reply.end) break;
    }
    return { step, consumed };
  }

  /**
   * The dialled extension of a first hop: Africa's Talking's path as is; for per-hop
   * vendors, what follows the service code in the dialled string. `null` when this cannot
   * be a first hop (the session expired or never existed).
   */
  private extension(req: UssdRequest, serviceCode: string): string[] | null {
    if (req.isNew === false) return null;
    if (req.path !== null) return req.path.length > MAX_PATH ? null : [...req.path];
    const dialled = req.input !== '' ? req.input : req.serviceCode;
    let ext = dialledExtension(dialled, serviceCode);
    // A whole dial string under the aggregator's own code (Hubtel's Initiation Message
    // `*713*4321#` with ServiceCode `713` or `*713#`, at a site configured with `*384#`):
    // the code field the vendor sent says where the extension starts.
    if (ext === null && dialled !== req.serviceCode && looksDialled(dialled)) {
      const own = dialSegments(req.serviceCode)[0];
      const segs = dialSegments(dialled);
      if (own !== undefined && segs[0] === own) ext = segs.slice(1);
    }
    if (ext === null) return req.isNew === true ? [] : null;
    return ext.length > MAX_PATH ? null : ext;
  }

  private async close(vendor: string, key: string): Promise<UssdReply> {
    try {
      await this.store.remove(vendor, key);
    } catch (e) {
      this.opts.onError?.('remove', e);
    }
    return CLOSED;
  }

  private politeEnd(lang: Language, key: 'badnumber' | 'expired' | 'sorry', vars: Record<string, string> = {}): UssdReply {
    return this.dialog.notice(lang, key, vars);
  }
}

/**
 * A start that repeats the stored session's only hop is the gateway sending it twice. Under
 * a vendor session id that holds for the session's life; keyed on the MSISDN, only within
 * the resend window — later, the same dial is the subscriber dialling again.
 */
function isDuplicateStart(req: UssdRequest, s: UssdSession, now: number, windowMs: number): boolean {
  if (s.hops !== 1 || s.startInput !== req.input) return false;
  return req.sessionKey !== req.msisdn || now - s.lastAt <= windowMs;
}

function isResend(req: UssdRequest, s: UssdSession, now: number, windowMs: number): boolean {
  if (req.isNew === true) return true; // a duplicate start (a real new dial reset `session` above)
  if (req.path !== null) return req.path.length <= s.step;
  if (req.hopTag !== null) return req.hopTag === s.lastTag;
  // No hop counter: the same answer again within the window is the gateway resending it —
  // except navigation keys, which people repeat on purpose and which are safe to re-apply.
  return req.input === s.lastInput && now - s.lastAt <= windowMs && !isNavigationInput(req.input);
}

const CLIENT_IDS = new Map<string, string>();
/** `ussd:<vendor>`, the client id of a dialect's check-ins: one string per dialect, not per hop. */
function clientIdOf(vendor: string): string {
  let id = CLIENT_IDS.get(vendor);
  if (id === undefined) {
    id = `ussd:${vendor}`;
    CLIENT_IDS.set(vendor, id);
  }
  return id;
}

/** Idempotency key of a check-in made at hop `hop` of a session; ≤ 128 characters. */
export function requestKey(sessionKey: string, nonce: string, hop: number): string {
  return `${sessionKey}:${nonce}:${hop}`;
}

/** Vendor session ids are bounded before they become Redis keys and request keys. */
function boundedKey(key: string): string {
  return key.length <= MAX_KEY ? key : 'h' + createHash('sha1').update(key).digest('hex');
}
