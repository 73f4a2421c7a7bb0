import { Redis } from 'ioredis';
import { afterAll } from 'vitest';
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
