import { describe, expect, it } from 'vitest';
import { dialledExtension, dialSegments, looksDialled } from '../../../../src/gateway/ussd/dial-string.js';
import { maskMsisdn } from '../../../../src/gateway/ussd/mask.js';
import { Params } from '../../../../src/gateway/ussd/params.js';

describe('dialled strings', () => {
  it('splits into segments, with or without * and #', () => {
    expect(dialSegments('*384*12*3#')).toEqual(['384', '12', '3']);
    expect(dialSegments('384*123')).toEqual(['384', '123']);
    expect(dialSegments('**384##')).toEqual(['384']);
    expect(dialSegments('')).toEqual([]);
  });

  it('tells dialled strings from answers', () => {
    expect(looksDialled('*384#')).toBe(true);
    expect(looksDialled(' *384*1# ')).toBe(true);
    expect(looksDialled('1')).toBe(false);
    expect(looksDialled('*')).toBe(false);
  });

  it('extracts the extension after the configured code', () => {
    expect(dialledExtension('*384*123#', '*384#')).toEqual(['123']);
    expect(dialledExtension('384*123', '*384#')).toEqual(['123']);
    expect(dialledExtension('*384#', '*384#')).toEqual([]);
    expect(dialledExtension('*384*55*123#', '*384*55#')).toEqual(['123']);
    expect(dialledExtension('*384*1*123#', '*384#')).toEqual(['1', '123']);
    expect(dialledExtension('', '*384#')).toEqual([]);
    // Not this service's code at all: not a dialled string for us.
    expect(dialledExtension('1', '*384#')).toBeNull();
    expect(dialledExtension('*999*1#', '*384#')).toBeNull();
    // Same first segment, different channel: everything after the first segment.
    expect(dialledExtension('*384*77*1#', '*384*55#')).toEqual(['77', '1']);
  });
});

describe('maskMsisdn', () => {
  it('keeps the country prefix and the last three digits', () => {
    expect(maskMsisdn('+254712345678')).toBe('+2547*****678');
    expect(maskMsisdn('+4412345')).toBe('+4***345');
    expect(maskMsisdn('+12345')).toBe('***45');
  });
});

describe('Params', () => {
  it('merges query and urlencoded body, case-insensitive names, first wins', () => {
    const p = Params.of({ method: 'POST', query: 'SessionID=q&x=1', contentType: 'application/x-www-form-urlencoded; charset=UTF-8', body: Buffer.from('sessionid=b&MSISDN=%2B254&text=1%2A2+3') });
    expect(p.get('sessionid')).toBe('q');
    expect(p.get('msisdn')).toBe('+254');
    expect(p.get('text')).toBe('1*2 3');
    expect(p.get('nope', 'x')).toBe('1');
  });

  it('reads JSON-ish records, keeping strings and finite numbers only', () => {
    const p = Params.fromRecord({ Sequence: 2, Bad: { a: 1 }, Inf: Infinity, Mobile: '233' });
    expect([p.get('sequence'), p.get('bad'), p.get('inf'), p.get('mobile')]).toEqual(['2', undefined, undefined, '233']);
  });
});
