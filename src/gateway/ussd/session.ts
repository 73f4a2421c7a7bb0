import { isLanguage, type Language } from './catalog/index.js';
import { isDialogState, type DialogState } from './dialog-state.js';
import type { UssdReply } from './types.js';

/** One USSD session as stored in `redis.local` (JSON, with a TTL). */
export interface UssdSession {
  /** Tells successive sessions under one key apart (vendors keyed on the MSISDN). */
  readonly nonce: string;
  readonly state: DialogState;
  /** Path elements consumed so far: the hop number of the last hop served. */
  readonly step: number;
  /** Requests served, resends excluded (1 after the start). */
  readonly hops: number;
  /** What the first hop carried (a duplicate start repeats it). */
  readonly startInput: string;
  readonly lastInput: string;
  readonly lastTag: string | null;
  /** Epoch ms of the last hop served. */
  readonly lastAt: number;
  /** The last screen, replayed verbatim for a resent hop. */
  readonly reply: UssdReply;
  readonly lang: Language;
}

/** Parses a stored session; `null` for anything this version cannot read (treated as absent). */
export function decodeSession(raw: string | null): UssdSession | null {
  if (raw === null) return null;
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch {
    return null;
  }
  if (v === null || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  const reply = o.reply as Record<string, unknown> | undefined;
  if (
    typeof o.nonce !== 'string' ||
    !isDialogState(o.state) ||
    !Number.isInteger(o.step) ||
    !Number.isInteger(o.hops) ||
    typeof o.startInput !== 'string' ||
    typeof o.lastInput !== 'string' ||
    (o.lastTag !== null && typeof o.lastTag !== 'string') ||
    typeof o.lastAt !== 'number' ||
    !reply ||
    typeof reply.text !== 'string' ||
    typeof reply.end !== 'boolean' ||
    !isLanguage(o.lang)
  ) {
    return null;
  }
  return v as UssdSession;
}

export function encodeSession(s: UssdSession): string {
  return JSON.stringify(s);
}

export interface LoadedSession {
  readonly session: UssdSession | null;
  /** The subscriber's remembered language, if any. */
  readonly lang: Language | null;
}

/**
 * Session storage port. The Redis adapter is the real one; the in-memory adapter serves
 * unit tests and single-process demos. Both pass the same contract suite.
 */
export interface UssdSessionStore {
  /** The session and the subscriber's language, in one round trip. */
  load(vendor: string, sessionKey: string, msisdn: string): Promise<LoadedSession>;
  /** Stores the session for the TTL; with `remember`, also the subscriber's language. */
  save(vendor: string, sessionKey: string, session: UssdSession, remember?: { msisdn: string; lang: Language }): Promise<void>;
  /**
   * Like `save`, for a write no reply waits for (after an END screen): the adapter may hold
   * it briefly (a few ms at most) to send it together with other work. A read issued after
   * this call still sees it.
   */
  saveLater(vendor: string, sessionKey: string, session: UssdSession, remember?: { msisdn: string; lang: Language }): Promise<void>;
  remove(vendor: string, sessionKey: string): Promise<void>;
  /**
   * For vendors keyed on the MSISDN (no session id): claims `nonce` for a session start
   * (`startInput`, the dialled string) for `ttlMs`, and resolves with the nonce claimed
   * first — so a start sent twice at once, before either is stored, is one session with
   * one check-in key, across nodes too.
   */
  claimStart(vendor: string, sessionKey: string, startInput: string, nonce: string, ttlMs: number): Promise<string>;
}
