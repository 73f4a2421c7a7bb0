import { MemorySessionStore } from '../../../../src/gateway/ussd/memory-session-store.js';
import { sessionStoreContract } from './support/session-store-contract.js';

sessionStoreContract('memory', async () => {
  let now = 1_000;
  const store = new MemorySessionStore(180_000, () => now);
  return {
    store,
    expire: async () => {
      now += 180_001;
    },
    close: async () => {},
  };
});
