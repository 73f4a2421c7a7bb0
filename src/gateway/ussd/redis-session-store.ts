import { createHash } from 'node:crypto';
import type { ChainableCommander, Redis } from 'ioredis';
import type { RedisGuard } from '../../store/redis/redis-guard.js';
import { defineScript } from '../../store/redis/scripts.js';
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
  /**
   * How long `saveLater` may hold a write when nothing else is being sent. Under load,
   * held writes go out with the next turn's loads well before this.
   * @defaultValue 2
   */
  readonly laterMs?: number;
  /**
   * Bounds each pipeline a hop waits for and skips Redis while it is down (see RedisGuard):
   * a hung Redis then costs a hop `redis.local.requestBudgetMs` at most, and nothing once
   * the breaker is open. None: the client's command timeout.
   */
  readonly guard?: RedisGuard;
}

interface LoadOp {
  readonly sessionKey: string;
  readonly langKey: string;
  readonly resolve: (v: LoadedSession) => void;
  readonly reject: (e: unknown) => void;
}

interface WriteOp {
  /** key, value, TTL in ms; a second triple when the language is remembered too. */
  readonly args: Array<string | number>;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

interface DelOp {
  readonly key: string;
  readonly resolve: () => void;
  readonly reject: (e: unknown) => void;
}

interface SetPxCommander {
  setPx(numKeys: number, ...keysThenArgs: Array<string | number>): ChainableCommander;
}

interface ClaimCommander {
  claim(key: string, value: string, ttlMs: number): Promise<string>;
}

/** Operations per command: one command stays short on the Redis side. */
const CHUNK = 256;

/**
 * Sessions in `redis.local`: `<prefix>ussd:s:<vendor>:<sessionKey>` → JSON with a TTL,
 * and `<prefix>ussd:lang:<msisdn>` → language.
 *
 * Operations issued in the same turn of the event loop are gathered and sent as one
 * pipeline (one socket write) holding at most three commands whatever their number: the
 * writes (one `set-px` script call), the deletes (one `DEL`) and the loads (one `MGET` of
 * every session and language). Per-key commands cost the gateway a command object, a
 * timer and a promise each, and Redis a dispatch each; at thousands of hops per second
 * that was most of the USSD layer's cost.
 *
 * Writes go first: operations of one turn are concurrent, and a load queued with a write
 * of the same session (a resend racing its original) then sees the newer state.
 *
 * `saveLater` (the write after an END screen, which no reply waits for) does not start a
 * pipeline of its own: it joins the next one, which under load is the next turn's loads,
 * or goes after `laterMs`. Every pipeline is a socket write, and on this kind of box a
 * socket write costs the gateway tens of microseconds of CPU.
 */
export class RedisSessionStore implements UssdSessionStore {
  private readonly langTtlMs: number;
  private loads: LoadOp[] = [];
  private writes: WriteOp[] = [];
  private dels: DelOp[] = [];
  private scheduled = false;
  private later: NodeJS.Timeout | null = null;
  private readonly laterMs: number;
  /** The last pipeline sent: replies on one connection come in order, so it settles last. */
  private lastSent: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly redis: Redis,
    private readonly opts: RedisSessionStoreOptions,
  ) {
    this.langTtlMs = opts.languageTtlMs ?? 400 * 86_400_000;
    this.laterMs = opts.laterMs ?? 2;
    defineScript(redis, 'setPx', 'set-px-n.lua');
    defineScript(redis, 'claim', 'claim-1.lua');
  }

  load(vendor: string, sessionKey: string, msisdn: string): Promise<LoadedSession> {
    return new Promise((resolve, reject) => {
      this.loads.push({ sessionKey: this.sessionKey(vendor, sessionKey), langKey: this.langKey(msisdn), resolve, reject });
      this.schedule();
    });
  }

  save(vendor: string, sessionKey: string, session: UssdSession, remember?: { msisdn: string; lang: Language }): Promise<void> {
    return this.write(vendor, sessionKey, session, remember, false);
  }

  saveLater(vendor: string, sessionKey: string, session: UssdSession, remember?: { msisdn: string; lang: Language }): Promise<void> {
    return this.write(vendor, sessionKey, session, remember, true);
  }

  private write(vendor: string, sessionKey: string, session: UssdSession, remember: { msisdn: string; lang: Language } | undefined, later: boolean): Promise<void> {
    const args: Array<string | number> = [this.sessionKey(vendor, sessionKey), encodeSession(session), this.opts.ttlMs];
    if (remember) args.push(this.langKey(remember.msisdn), remember.lang, this.langTtlMs);
    return new Promise((resolve, reject) => {
      this.writes.push({ args, resolve, reject });
      if (later) this.scheduleLater();
      else this.schedule();
    });
  }

  remove(vendor: string, sessionKey: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.dels.push({ key: this.sessionKey(vendor, sessionKey), resolve, reject });
      this.schedule();
    });
  }

  /**
   * One script call (`claim-1.lua`) sets the claim if absent and returns the earlier one.
   * Rare (session starts of MSISDN-keyed vendors only), so not batched with the rest.
   */
  async claimStart(vendor: string, sessionKey: string, startInput: string, nonce: string, ttlMs: number): Promise<string> {
    const input = startInput.length <= 64 ? startInput : createHash('sha1').update(startInput).digest('hex');
    const key = `${this.opts.keyPrefix}ussd:start:${vendor}:${sessionKey}:${input}`;
    const claim = () => (this.redis as unknown as ClaimCommander).claim(key, nonce, Math.max(1, ttlMs));
    return this.opts.guard ? this.opts.guard.run(claim) : claim();
  }

  /** Sends whatever is queued (held `saveLater` writes included) and waits for it: before the connection closes. */
  async drain(): Promise<void> {
    this.flush();
    await this.lastSent.catch(() => {});
  }

  private schedule(): void {
    if (!this.scheduled) {
      this.scheduled = true;
      setImmediate(flushStore, this);
    }
  }

  private scheduleLater(): void {
    if (!this.scheduled && this.later === null) this.later = setTimeout(flushStore, this.laterMs, this);
  }

  /** @internal sends every queued operation in one pipeline */
  flush(): void {
    const { loads, writes, dels } = this;
    this.loads = [];
    this.writes = [];
    this.dels = [];
    this.scheduled = false;
    if (this.later !== null) {
      clearTimeout(this.later);
      this.later = null;
    }
    if (loads.length + writes.length + dels.length === 0) return;
    const p = this.redis.pipeline();
    const settlers: Array<(result: [Error | null, unknown] | undefined) => void> = [];
    for (let i = 0; i < writes.length; i += CHUNK) {
      const chunk = writes.slice(i, i + CHUNK);
      const keys: Array<string | number> = [];
      const argv: Array<string | number> = [];
      for (const w of chunk) {
        for (let k = 0; k < w.args.length; k += 3) {
          keys.push(w.args[k]!);
          argv.push(w.args[k + 1]!, w.args[k + 2]!);
        }
      }
      (p as unknown as SetPxCommander).setPx(keys.length, ...keys, ...argv);
      settlers.push((r) => settleAll(chunk, r));
    }
    for (let i = 0; i < dels.length; i += CHUNK) {
      const chunk = dels.slice(i, i + CHUNK);
      p.del(...chunk.map((d) => d.key));
      settlers.push((r) => settleAll(chunk, r));
    }
    for (let i = 0; i < loads.length; i += CHUNK) {
      const chunk = loads.slice(i, i + CHUNK);
      const keys: string[] = new Array(chunk.length * 2);
      for (let k = 0; k < chunk.length; k++) {
        keys[2 * k] = chunk[k]!.sessionKey;
        keys[2 * k + 1] = chunk[k]!.langKey;
      }
      p.mget(keys);
      settlers.push((r) => settleLoads(chunk, r));
    }
    const exec = () => p.exec();
    this.lastSent = (this.opts.guard ? this.opts.guard.run(exec) : exec()).then(
      (results) => {
        for (let i = 0; i < settlers.length; i++) settlers[i]!(results?.[i]);
      },
      (e: unknown) => {
        for (const s of settlers) s([e instanceof Error ? e : new Error(String(e)), null]);
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

/** Resolves (or rejects) every write or delete of one command. */
function settleAll(ops: ReadonlyArray<WriteOp | DelOp>, result: [Error | null, unknown] | undefined): void {
  const e = result === undefined ? new Error('missing pipeline reply') : result[0];
  for (const op of ops) {
    if (e) op.reject(e);
    else op.resolve();
  }
}

/** Hands each load its session and language from one MGET reply (two values per load). */
function settleLoads(ops: readonly LoadOp[], result: [Error | null, unknown] | undefined): void {
  const e = result === undefined ? new Error('missing pipeline reply') : result[0];
  if (e) {
    for (const op of ops) op.reject(e);
    return;
  }
  const values = result![1] as Array<string | null>;
  for (let i = 0; i < ops.length; i++) {
    const raw = values[2 * i] ?? null;
    const lang = values[2 * i + 1] ?? null;
    ops[i]!.resolve({ session: decodeSession(raw), lang: isLanguage(lang) ? lang : null });
  }
}
