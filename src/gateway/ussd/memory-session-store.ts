import type { Language } from './catalog/index.js';
import { decodeSession, encodeSession, type LoadedSession, type UssdSession, type UssdSessionStore } from './session.js';

/** In-process session store with the Redis adapter's semantics (TTL, JSON round trip). */
export class MemorySessionStore implements UssdSessionStore {
  private readonly sessions = new Map<string, { json: string; expiresAt: number }>();
  private readonly langs = new Map<string, Language>();
  private readonly starts = new Map<string, { nonce: string; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  async load(vendor: string, sessionKey: string, msisdn: string): Promise<LoadedSession> {
    const k = `${vendor}:${sessionKey}`;
    const entry = this.sessions.get(k);
    let session: UssdSession | null = null;
    if (entry !== undefined) {
      if (entry.expiresAt <= this.now()) this.sessions.delete(k);
      else session = decodeSession(entry.json);
    }
    return { session, lang: this.langs.get(msisdn) ?? null };
  }

  async save(vendor: string, sessionKey: string, session: UssdSession, remember?: { msisdn: string; lang: Language }): Promise<void> {
    this.sessions.set(`${vendor}:${sessionKey}`, { json: encodeSession(session), expiresAt: this.now() + this.ttlMs });
    if (remember) this.langs.set(remember.msisdn, remember.lang);
  }

  saveLater(vendor: string, sessionKey: string, session: UssdSession, remember?: { msisdn: string; lang: Language }): Promise<void> {
    return this.save(vendor, sessionKey, session, remember);
  }

  async remove(vendor: string, sessionKey: string): Promise<void> {
    this.sessions.delete(`${vendor}:${sessionKey}`);
  }

  async claimStart(vendor: string, sessionKey: string, startInput: string, nonce: string, ttlMs: number): Promise<string> {
    const k = `${vendor}:${sessionKey}:${startInput}`;
    const held = this.starts.get(k);
    if (held !== undefined && held.expiresAt > this.now()) return held.nonce;
    this.starts.set(k, { nonce, expiresAt: this.now() + ttlMs });
    return nonce;
  }
}
