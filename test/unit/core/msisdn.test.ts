import { describe, expect, it } from 'vitest';
import { normaliseMsisdn } from '../../../src/core/msisdn.js';

describe('normaliseMsisdn', () => {
  it.each([
    ['+254712345678', '+254712345678'],
    ['254712345678', '+254712345678'],
    ['00254712345678', '+254712345678'],
    ['0712345678', '+254712345678'],
    ['712345678', '+254712345678'],
    ['+254 712-345.678', '+254712345678'],
    ['(0712) 345 678', '+254712345678'],
    ['+919876543210', '+919876543210'],
    // Another country's number in international form without a plus stays that country's.
    ['233241234567', '+233241234567'],
    ['264811234567', '+264811234567'],
    ['919912345678', '+919912345678'],
    ['00233241234567', '+233241234567'],
  ])('%s → %s', (raw, expected) => {
    expect(normaliseMsisdn(raw, '254')).toEqual({ ok: true, value: expected });
  });

  it.each([[''], ['abc'], ['+12'], ['+0123456789'], ['+1234567890123456'], ['07123x5678'], [null], [{}],
    // Valid in no plan: too long for Kenya and for any other country it could start.
    ['2547123456789'], ['+2547123456789'], ['0712345'], ['+15550001234'], ['999999999999'],
    // A Kenyan landline is no subscriber of a mobile service.
    ['+254202123456'],
  ])('rejects %j', (raw) => {
    const r = normaliseMsisdn(raw, '254');
    expect(r.ok).toBe(false);
  });

  it('uses the configured country code for national forms', () => {
    expect(normaliseMsisdn('09876543210', '91')).toEqual({ ok: true, value: '+919876543210' });
    expect(normaliseMsisdn('0241234567', '233')).toEqual({ ok: true, value: '+233241234567' });
    expect(normaliseMsisdn('0712345678', '256')).toEqual({ ok: true, value: '+256712345678' });
  });

  it('names why a number is refused, and gives the same answer from its cache', () => {
    const first = normaliseMsisdn('233241234', '254');
    expect(first).toEqual({ ok: false, error: expect.stringMatching(/not a valid mobile number/) });
    expect(normaliseMsisdn('233241234', '254')).toEqual(first);
    // The cache is keyed by country code too: the same digits read elsewhere differ.
    expect(normaliseMsisdn('0712345678', '254')).toEqual({ ok: true, value: '+254712345678' });
    expect(normaliseMsisdn('0712345678', '256')).toEqual({ ok: true, value: '+256712345678' });
  });
});
