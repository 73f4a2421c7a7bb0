import type { Redis } from 'ioredis';
import { isLanguage, type Language } from './catalog/index.js';
import { decodeSession, encodeSession, type LoadedSession, type UssdSession, type UssdSessionStore } from './session.js';

export interface RedisSessionStoreOptions {
  /** Prepended to every key (leave empty when the client applies `redis.local.keyPrefix`). */
  readonly keyPrefix: string;
  readonly ttlMs: number;
  /**
   * How long a subscriber's language is remembered after its last change.
   * @defaultValue 400 days
   */
  readonly languageTtlMs?: number;
}

type Op =
  | { readonly kind: 'load'; readonly keys: [string, string]; readonly resolve: (v: LoadedSession) => void; readonly reject: (e: unknown) => void }
  | { readonly kind: 'write'; readonly args: Array<[string, string, number]>; readonly resolve: () => void; readonly reject: (e: unknown) => void }
  | { readonly kind: 'del'; readonly key: string; readonly resolve: () => void; readonly reject: (e: unknown) => void };

/**
 * Sessions in `redis.local`: `<prefix>ussd:s:<vendor>:<sessionKey>` → JSON with a TTL,
 * and `<prefix>ussd:lang:<msisdn>` → language. A hop costs one MGET and one SET.
 *
 * Commands issued in the same turn of the event loop travel in one pipeline (one socket
 * write): at thousands of hops per second, a write per command costs more CPU than the
 * rest of the USSD path together.
 */
export class RedisSessionStore implements UssdSessionStore {
  private readonly langTtlMs: number;
  private queue: Op[] = [];
  private scheduled = false;

  constructor(
    private readonly redis: Redis,
    private readonly opts: RedisSessionStoreOptions,
  ) {
    this.langTtlMs = opts.languageTtlMs ?? 400 * 86_400_000;
  }

  load(vendor: string, sessionKey: string, msisdn: string): Promise<LoadedSession> {
    return new Promise((resolve, reject) => {
      this.enqueue({ kind: 'load', keys: [this.sessionKey(vendor, sessionKey), this.langKey(msisdn)], resolve, reject });
    });
  }

  save(vendor: string, sessionKey: string, session: UssdSession, remember?: { msisdn: string; lang: Language }): Promise<void> {
    const args: Array<[string, string, number]> = [[this.sessionKey(vendor, sessionKey), encodeSession(session), this.opts.ttlMs]];
    if (remember) args.push([this.langKey(remember.msisdn), remember.lang, this.langTtlMs]);
    return new Promise((resolve, reject) => this.enqueue({ kind: 'write', args, resolve, reject }));
  }

  remove(vendor: string, sessionKey: string): Promise<void> {
    return new Promise((resolve, reject) => this.enqueue({ kind: 'del', key: this.sessionKey(vendor, sessionKey), resolve, reject }));
  }

  private enqueue(op: Op): void {
    this.queue.push(op);
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(flushStore, this);
    }
  }

  /** @internal sends every queued command in one pipeline */
  flush(): void {
    const ops = this.queue;
    this.queue = [];
    this.scheduled = false;
    const p = this.redis.pipeline();
    for (const op of ops) {
      if (op.kind === 'load') p.mget(op.keys[0], op.keys[1]);
      else if (op.kind === 'del') p.del(op.key);
      else for (const [key, value, ttl] of op.args) p.set(key, value, 'PX', ttl);
    }
    p.exec().then(
      (results) => settle(ops, results ?? []),
      (e: unknown) => {
        for (const op of ops) op.reject(e);
      },
    );
  }

  private sessionKey(vendor: string, sessionKey: string): string {
    return `${this.opts.keyPrefix}ussd:s:${vendor}:${sessionKey}`;
  }

  private langKey(msisdn: string): string {
    return `${this.opts.keyPrefix}ussd:lang:${msisdn}`;
  }
}

function flushStore(store: RedisSessionStore): void {
  store.flush();
}

/** Hands each queued operation its replies (a write may span two commands). */
function settle(ops: readonly Op[], results: Array<[Error | null, unknown]>): void {
  let i = 0;
  for (const op of ops) {
    if (op.kind === 'write') {
      let failure: Error | null = null;
      for (let k = 0; k < op.args.length; k++) failure ??= results[i++]?.[0] ?? null;
      if (failure) op.reject(failure);
      else op.resolve();
      continue;
    }
    const [e, value] = results[i++] ?? [new Error('missing pipeline reply'), null];
    if (e) {
      op.reject(e);
    } else if (op.kind === 'load') {
      const [raw, lang] = value as [string | null, string | null];
      op.resolve({ session: decodeSession(raw ?? null), lang: isLanguage(lang) ? lang : null });
    } else {
      op.resolve();
    }
  }
}
