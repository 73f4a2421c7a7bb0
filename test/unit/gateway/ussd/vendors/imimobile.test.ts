import { describe, expect, it } from 'vitest';
import { imimobile } from '../../../../../src/gateway/ussd/vendors/imimobile.js';
import { CTX, get, post } from '../support/wire.js';

describe('IMImobile dialect', () => {
  it('keys the session on the MSISDN; a dialled string is a new session', () => {
    expect(imimobile.parse(get('msisdn=447700900001&msg=*384*123%23&code=*384%23&tid=77'), CTX)).toEqual({
      ok: true,
      value: {
        vendor: 'imimobile', sessionKey: '447700900001', msisdn: '447700900001', serviceCode: '*384#', isNew: true,
        input: '*384*123#', path: null, hopTag: null, network: null, kind: 'hop',
      },
    });
  });

  it('a plain answer does not say whether the session is new', () => {
    expect(imimobile.parse(post('application/x-www-form-urlencoded', 'msisdn=447700900001&msg=2&tid=78'), CTX)).toMatchObject({
      ok: true,
      value: { isNew: null, input: '2' },
    });
  });

  it('refuses a request without msisdn as malformed', () => {
    expect(imimobile.parse(get('msg=1'), CTX)).toMatchObject({ ok: false, error: { kind: 'malformed' } });
  });

  it('renders X-USSD-SESSION 1 / 0', () => {
    expect(imimobile.render({ text: 'Menu', end: false }, null).headers).toEqual([['X-USSD-SESSION', '1']]);
    expect(imimobile.render({ text: 'Bye', end: true }, null)).toEqual({
      status: 200, contentType: 'text/plain; charset=utf-8', headers: [['X-USSD-SESSION', '0']], body: 'Bye',
    });
  });
});
