import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { RedisSessionStore } from '../../src/gateway/ussd/redis-session-store.js';
import { deleteRedisPrefix, REDIS, uniqueName } from '../helpers/env.js';
import { sessionStoreContract } from '../unit/gateway/ussd/support/session-store-contract.js';

const prefixes: string[] = [];
afterAll(async () => {
  for (const p of prefixes) await deleteRedisPrefix(p);
});

sessionStoreContract('redis', async () => {
  const prefix = `${uniqueName('hgt_ussd')}:`;
  prefixes.push(prefix);
  const redis = new Redis({ ...REDIS, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  const store = new RedisSessionStore(redis, { keyPrefix: prefix, ttlMs: 300 });
  return {
    store,
    expire: () => new Promise((r) => setTimeout(r, 450)),
    close: async () => {
      redis.disconnect();
    },
  };
});

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
