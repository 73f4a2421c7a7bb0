import { describe, expect, it } from 'vitest';
import { decodeId, IdGenerator, ID_EPOCH_MS } from '../../../src/core/ids.js';

describe('IdGenerator', () => {
  it('makes increasing ids that carry time and site', () => {
    let now = ID_EPOCH_MS + 1_000_000;
    const gen = new IdGenerator(42, () => now, () => 0);
    const a = gen.next();
    const b = gen.next();
    now += 5;
    const c = gen.next();
    expect(a < b && b < c).toBe(true);
    expect(decodeId(a)).toEqual({ atMs: ID_EPOCH_MS + 1_000_000, siteNumber: 42, seq: 0 });
    expect(decodeId(b).seq).toBe(1);
    expect(decodeId(c.toString())).toEqual({ atMs: now, siteNumber: 42, seq: 0 });
  });

  it('never goes backwards when the clock does, and borrows the next ms when a ms is full', () => {
    let now = ID_EPOCH_MS + 10_000;
    const gen = new IdGenerator(1, () => now);
    const ids: bigint[] = [];
    for (let i = 0; i < 5000; i++) ids.push(gen.next());
    now -= 3000; // NTP step back
    for (let i = 0; i < 10; i++) ids.push(gen.next());
    for (let i = 1; i < ids.length; i++) expect(ids[i]! > ids[i - 1]!).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('ids of different sites never collide', () => {
    const now = () => ID_EPOCH_MS + 77;
    const a = new IdGenerator(1, now).next();
    const b = new IdGenerator(2, now).next();
    expect(a).not.toBe(b);
    expect(decodeId(a).siteNumber).toBe(1);
    expect(decodeId(b).siteNumber).toBe(2);
  });

  it('two processes of one site at the same instant start their sequences apart; a ms still holds 2048 ids', () => {
    const now = () => ID_EPOCH_MS + 77;
    const a = new IdGenerator(3, now, () => 0);
    const b = new IdGenerator(3, now, () => 0.5);
    expect(a.next()).not.toBe(b.next());
    expect(decodeId(b.next()).seq).toBe(1025);
    const late = new IdGenerator(3, now, () => 0.9999);
    const ids = Array.from({ length: 2048 }, () => late.next());
    expect(new Set(ids.map((id) => decodeId(id).atMs))).toEqual(new Set([ID_EPOCH_MS + 77]));
  });

  it('validates the site number', () => {
    expect(() => new IdGenerator(1024)).toThrow(/siteNumber/);
    expect(() => new IdGenerator(-1)).toThrow(/siteNumber/);
  });
});
