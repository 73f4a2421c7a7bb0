import { describe, expect, it } from 'vitest';
import { checkRecord, parseBatch } from '../../../src/sync/protocol.js';

const checkIn = (extra: Record<string, unknown> = {}) => ({
  type: 'checkin',
  id: '123456789012345',
  msisdn: '+254712345678',
  venueId: 'v1',
  channel: 'ussd',
  site: 'aa',
  at: 1_765_000_000_000,
  day: '2026-12-07',
  ...extra,
});
const venue = (extra: Record<string, unknown> = {}) => ({ type: 'venue', id: 'v1', name: 'Kibanda', city: 'Nairobi', open: true, code: '4321', version: 2, site: 'bb', ...extra });

describe('checkRecord', () => {
  it('accepts a well-formed check-in and venue, keeping only contract fields', () => {
    const c = checkRecord({ ...checkIn(), extra: 'dropped' }, 'aa');
    expect(c).toEqual({ ok: true, record: checkIn() });
    expect(checkRecord(venue(), 'aa')).toEqual({ ok: true, record: venue() });
    expect(checkRecord(venue({ code: null }), 'aa').ok).toBe(true);
  });

  it.each([
    [{ id: '0123' }, 'id must be'],
    [{ id: '9223372036854775808' }, 'id must be'],
    [{ id: 12 }, 'id must be'],
    [{ site: 'bb' }, 'site must be the origin aa'],
    [{ msisdn: '0712345678' }, 'msisdn must be E.164'],
    [{ venueId: 'V 1' }, 'venueId'],
    [{ channel: 'fax' }, 'unknown channel'],
    [{ at: 1.5 }, 'at must be'],
    [{ at: 0 }, 'at must be'],
    [{ day: '7/12/2026' }, 'day must be'],
  ])('refuses a check-in with %o, saying why', (extra, reason) => {
    const c = checkRecord(checkIn(extra), 'aa');
    expect(c.ok).toBe(false);
    if (!c.ok) {
      expect(c.type).toBe('checkin');
      expect(c.reason).toContain(reason);
    }
  });

  it.each([
    [{ name: '' }, 'name'],
    [{ name: 'x'.repeat(121) }, 'name'],
    [{ name: 'evil\u202Ename' }, 'name'],
    [{ city: 'Nai<robi>' }, 'city'],
    [{ open: 'yes' }, 'open'],
    [{ code: '12a' }, 'code'],
    [{ version: 0 }, 'version'],
    [{ site: 'B B' }, 'site'],
  ])('refuses a venue with %o', (extra, field) => {
    const c = checkRecord(venue(extra), 'aa');
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.reason).toContain(field);
  });

  it('refuses what is not a record, clipping the echoed id', () => {
    expect(checkRecord(null, 'aa')).toMatchObject({ ok: false, reason: 'a record must be an object' });
    expect(checkRecord([checkIn()], 'aa')).toMatchObject({ ok: false });
    expect(checkRecord({ type: 'widget', id: 'x'.repeat(100) }, 'aa')).toEqual({ ok: false, type: 'widget', id: 'x'.repeat(40), reason: 'unknown record type' });
  });
});

describe('parseBatch', () => {
  const body = (b: unknown) => JSON.stringify(b);

  it('keeps the good records of a batch and rejects the bad ones with their seq', () => {
    const p = parseBatch(body({ origin: 'aa', to: 'bb', entries: [{ seq: 4, records: [checkIn(), checkIn({ id: '1', channel: 'fax' })] }, { seq: 5, records: [venue()] }] }));
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.batch.origin).toBe('aa');
    expect(p.batch.to).toBe('bb');
    expect(p.batch.entries).toEqual([
      { seq: 4, records: [checkIn()] },
      { seq: 5, records: [venue()] },
    ]);
    expect(p.batch.rejected).toEqual([{ seq: 4, type: 'checkin', id: '1', reason: 'unknown channel' }]);
  });

  it('keeps an entry whose every record was refused (its seq is still received)', () => {
    const p = parseBatch(body({ origin: 'aa', to: 'bb', entries: [{ seq: 9, records: [{ type: 'x' }] }] }));
    expect(p.ok && p.batch.entries).toEqual([{ seq: 9, records: [] }]);
  });

  it.each([
    ['not json', 'not JSON'],
    [body([]), 'must be an object'],
    [body({ origin: 'A', to: 'bb', entries: [] }), 'origin'],
    [body({ origin: 'aa', to: 7, entries: [] }), 'to'],
    [body({ origin: 'aa', to: 'bb', entries: {} }), 'entries must be an array'],
    [body({ origin: 'aa', to: 'bb', entries: [{ seq: 0, records: [] }] }), 'positive integer seq'],
    [body({ origin: 'aa', to: 'bb', entries: [{ seq: 1.5, records: [] }] }), 'positive integer seq'],
    [body({ origin: 'aa', to: 'bb', entries: [{ seq: 1 }] }), 'records array'],
    [body({ origin: 'aa', to: 'bb', entries: [null] }), 'positive integer seq'],
  ])('refuses a body that is not a batch: %s', (raw, reason) => {
    const p = parseBatch(raw);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.reason).toContain(reason);
  });
});
