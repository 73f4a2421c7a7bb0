import type { Redis } from 'ioredis';
import { isLanguage, type Language } from './catalog/index.js';
import { decodeSession, encodeSession, type LoadedSession, type UssdSession, type UssdSessionStore } from './session.js';

export interface RedisSessionStoreOptions {
  /** Prepended to every key (the site's `redis.local.keyPrefix` when the client has none). */
  readonly keyPrefix: string;
  readonly ttlMs: number;
  /**
   * How long a subscriber's language is remembered after its last use.
   * @defaultValue 400 days
   */
  readonly languageTtlMs?: number;
}

/**
 * Sessions in `redis.local`: `<prefix>ussd:s:<vendor>:<sessionKey>` → JSON with a TTL,
 * and `<prefix>ussd:lang:<msisdn>` → language. Both are read with one MGET per hop and
 * written with one SET (or a two-command pipeline when the language changes).
 */
export class RedisSessionStore implements UssdSessionStore {
  private readonly langTtlMs: number;

  constructor(
    private readonly redis: Redis,
    private readonly opts: RedisSessionStoreOptions,
  ) {
    this.langTtlMs = opts.languageTtlMs ?? 400 * 86_400_000;
  }

  async load(vendor: string, sessionKey: string, msisdn: string): Promise<LoadedSession> {
    const [raw, lang] = await this.redis.mget(this.sessionKey(vendor, sessionKey), this.langKey(msisdn));
    return { session: decodeSession(raw ?? null), lang: isLanguage(lang) ? lang : null };
  }

  async save(vendor: string, sessionKey: string, session: UssdSession, remember?: { msisdn: string; lang: Language }): Promise<void> {
    const key = this.sessionKey(vendor, sessionKey);
    if (!remember) {
      await this.redis.set(key, encodeSession(session), 'PX', this.opts.ttlMs);
      return;
    }
    const results = await this.redis
      .multi()
      .set(key, encodeSession(session), 'PX', this.opts.ttlMs)
      .set(this.langKey(remember.msisdn), remember.lang, 'PX', this.langTtlMs)
      .exec();
    const failed = results?.find(([e]) => e !== null);
    if (failed) throw failed[0];
  }

  async remove(vendor: string, sessionKey: string): Promise<void> {
    await this.redis.del(this.sessionKey(vendor, sessionKey));
  }

  private sessionKey(vendor: string, sessionKey: string): string {
    return `${this.opts.keyPrefix}ussd:s:${vendor}:${sessionKey}`;
  }

  private langKey(msisdn: string): string {
    return `${this.opts.keyPrefix}ussd:lang:${msisdn}`;
  }
}
