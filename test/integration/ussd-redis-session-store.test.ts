import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../../src/gateway/ussd/redis-session-store.js';
import { deleteRedisPrefix, REDIS, uniqueName } from '../helpers/env.js';
import { sessionStoreContract } from '../unit/gateway/ussd/support/session-store-contract.js';

const prefixes: string[] = [];
afterAll(async () => {
  for (const p of prefixes) await deleteRedisPrefix(p);
});

/**
 * Sessions live for a minute here, so no check of the contract races the TTL on a slow box
 * (with a 300 ms TTL, a session saved at the start of a busy test had expired before the test
 * read it back). Letting the TTL pass is done the way the memory store's fake clock does it:
 * every key under the prefix loses `TTL_MS + 1` ms of the time it has left, which also shows
 * the adapter gave each key a TTL, in milliseconds, no longer than configured.
 */
const TTL_MS = 60_000;

sessionStoreContract('redis', async () => {
  const prefix = `${uniqueName('hgt_ussd')}:`;
  prefixes.push(prefix);
  const redis = new Redis({ ...REDIS, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const store = new RedisSessionStore(redis, { keyPrefix: prefix, ttlMs: TTL_MS });
  return {
    store,
    expire: () => advanceRedisClock(redis, prefix, TTL_MS + 1),
    close: async () => {
      redis.disconnect();
    },
  };
});

/** As if `ms` had passed for the keys under `prefix`: Redis has no clock a test can move. */
async function advanceRedisClock(redis: Redis, prefix: string, ms: number): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) {
      const left = await redis.pttl(key);
      if (left < 0) continue; // -1: kept for ever; -2: already gone
      if (left <= ms) await redis.del(key);
      else await redis.pexpire(key, left - ms);
    }
  } while (cursor !== '0');
}

describe('RedisSessionStore.drain', () => {
  it('sends a held saveLater write at once (before the connection closes on shutdown)', async () => {
    const prefix = `${uniqueName('hgt_ussd')}:`;
    prefixes.push(prefix);
    const redis = new Redis({ ...REDIS, lazyConnect: true, maxRetriesPerRequest: 1 });
    await redis.connect();
    try {
      const store = new RedisSessionStore(redis, { keyPrefix: prefix, ttlMs: 60_000, laterMs: 10_000 });
      const session = { nonce: '0', state: { s: 'end' }, step: 1, hops: 1, startInput: '123', lastInput: '123', lastTag: null, lastAt: 1, reply: { text: 'Bye', end: true }, lang: 'en' } as const;
      const saving = store.saveLater('africastalking', 'd1', session);
      await store.drain();
      await saving;
      expect(await redis.pttl(`${prefix}ussd:s:africastalking:d1`)).toBeGreaterThan(50_000);
    } finally {
      redis.disconnect();
    }
  });
});
