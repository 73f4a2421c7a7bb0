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
  ])('%s → %s', (raw, expected) => {
    expect(normaliseMsisdn(raw, '254')).toEqual({ ok: true, value: expected });
  });

  it.each([[''], ['abc'], ['+12'], ['+0123456789'], ['+1234567890123456'], ['07123x5678'], [null], [{}]])('rejects %j', (raw) => {
    const r = normaliseMsisdn(raw, '254');
    expect(r.ok).toBe(false);
  });

  it('uses the configured country code for national forms', () => {
    expect(normaliseMsisdn('09876543210', '91')).toEqual({ ok: true, value: '+919876543210' });
  });
});
