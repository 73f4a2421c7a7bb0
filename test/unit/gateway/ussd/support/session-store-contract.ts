import { afterAll, describe, expect, it } from 'vitest';
import type { UssdSession, UssdSessionStore } from '../../../../../src/gateway/ussd/session.js';

export interface StoreUnderTest {
  readonly store: UssdSessionStore;
  /** Lets the TTL pass (a fake clock, or real waiting for a short TTL). */
  expire(): Promise<void>;
  close(): Promise<void>;
}

const SESSION: UssdSession = {
  nonce: '0',
  state: { s: 'top.list', board: 'city', page: 2 },
  step: 3,
  hops: 4,
  startInput: '*384#',
  lastInput: '98',
  lastTag: null,
  lastAt: 1_764_000_000_000,
  reply: { text: 'Top - नैरोबी:\n98 More', end: false },
  lang: 'hi',
};

/** One contract, every adapter of the session store port. */
export function sessionStoreContract(name: string, make: () => Promise<StoreUnderTest>): void {
  describe(`session store contract: ${name}`, () => {
    const opened: StoreUnderTest[] = [];
    const open = async () => {
      const s = await make();
      opened.push(s);
      return s;
    };
    afterAll(async () => {
      for (const s of opened) await s.close();
    });

    it('returns nothing for an unknown session', async () => {
      const { store } = await open();
      expect(await store.load('africastalking', 'nope', '+254711000001')).toEqual({ session: null, lang: null });
    });

    it('round-trips a session, scoped by vendor', async () => {
      const { store } = await open();
      await store.save('hubtel', 'k1', SESSION);
      expect(await store.load('hubtel', 'k1', '+254711000001')).toEqual({ session: SESSION, lang: null });
      expect((await store.load('flares', 'k1', '+254711000001')).session).toBeNull();
    });

    it('remembers the language per subscriber, across sessions', async () => {
      const { store } = await open();
      await store.save('hubtel', 'k2', SESSION, { msisdn: '+254711000002', lang: 'hi' });
      expect((await store.load('flares', 'other', '+254711000002')).lang).toBe('hi');
    });

    it('removes a session', async () => {
      const { store } = await open();
      await store.save('hubtel', 'k3', SESSION);
      await store.remove('hubtel', 'k3');
      expect((await store.load('hubtel', 'k3', '+254711000001')).session).toBeNull();
    });

    it('serves hundreds of operations issued in the same turn, each with its own answer', async () => {
      const { store } = await open();
      const n = 300; // more than one command's worth in the Redis adapter
      const session = (i: number): UssdSession => ({ ...SESSION, step: i, lastInput: String(i) });
      const msisdn = (i: number) => `+2547110${String(i).padStart(5, '0')}`;
      await Promise.all(
        Array.from({ length: n }, (_, i) =>
          store.save('africastalking', `many${i}`, session(i), i % 3 === 0 ? { msisdn: msisdn(i), lang: 'hi' } : undefined),
        ),
      );
      const loaded = await Promise.all(Array.from({ length: n }, (_, i) => store.load('africastalking', `many${i}`, msisdn(i))));
      for (let i = 0; i < n; i++) {
        expect(loaded[i]).toEqual({ session: session(i), lang: i % 3 === 0 ? 'hi' : null });
      }
      await Promise.all(Array.from({ length: n / 2 }, (_, i) => store.remove('africastalking', `many${2 * i}`)));
      const after = await Promise.all(Array.from({ length: n }, (_, i) => store.load('africastalking', `many${i}`, msisdn(i))));
      for (let i = 0; i < n; i++) expect(after[i]!.session).toEqual(i % 2 === 0 ? null : session(i));
    });

    it('a load issued in the same turn as a save of that session sees the save', async () => {
      const { store } = await open();
      const saving = store.save('hubtel', 'k5', SESSION, { msisdn: '+254711000005', lang: 'hi' });
      const loading = store.load('hubtel', 'k5', '+254711000005');
      await saving;
      expect(await loading).toEqual({ session: SESSION, lang: 'hi' });
    });

    it('saveLater stores the session too, and a load issued after it sees it', async () => {
      const { store } = await open();
      const saving = store.saveLater('africastalking', 'k6', SESSION, { msisdn: '+254711000006', lang: 'hi' });
      const loading = store.load('africastalking', 'k6', '+254711000006');
      expect(await loading).toEqual({ session: SESSION, lang: 'hi' });
      await saving;
      await store.saveLater('africastalking', 'k7', SESSION); // alone: goes out on its own, soon
      expect(await store.load('africastalking', 'k7', '+254711000007')).toEqual({ session: SESSION, lang: null });
    });

    it('claims one nonce per session start: a duplicate gets the first, another start its own, and the claim expires', async () => {
      const s = await open();
      const [a, b] = await Promise.all([
        s.store.claimStart('imimobile', '+254711000008', '*384*123#', 'n1', 300),
        s.store.claimStart('imimobile', '+254711000008', '*384*123#', 'n2', 300),
      ]);
      expect([a, b]).toEqual(['n1', 'n1']);
      expect(await s.store.claimStart('imimobile', '+254711000008', '*384#', 'n3', 300)).toBe('n3');
      expect(await s.store.claimStart('imimobile', '+254711000009', '*384*123#', 'n4', 300)).toBe('n4');
      await s.expire();
      expect(await s.store.claimStart('imimobile', '+254711000008', '*384*123#', 'n5', 300)).toBe('n5');
    });

    it('forgets a session after its TTL', async () => {
      const s = await open();
      await s.store.save('hubtel', 'k4', SESSION);
      await s.expire();
      expect((await s.store.load('hubtel', 'k4', '+254711000001')).session).toBeNull();
    });
  });
}
