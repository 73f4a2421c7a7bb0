import { describe, expect, it } from 'vitest';
import { flares } from '../../../../../src/gateway/ussd/vendors/flares.js';
import { CTX, get, post } from '../support/wire.js';

describe('Flares dialect', () => {
  it('parses GET query parameters', () => {
    expect(flares.parse(get('SessionID=f1&MSISDN=919810000001&MSC=airtel&input=384*123'), CTX)).toEqual({
      ok: true,
      value: {
        vendor: 'flares', sessionKey: 'f1', msisdn: '919810000001', serviceCode: '', isNew: null,
        input: '384*123', path: null, hopTag: null, network: 'airtel', kind: 'hop',
      },
    });
  });

  it('parses POST form parameters and honours a new-request flag', () => {
    const r = flares.parse(post('application/x-www-form-urlencoded', 'sessionid=f2&msisdn=919810000001&input=1&newrequest=0'), CTX);
    expect(r).toMatchObject({ ok: true, value: { sessionKey: 'f2', input: '1', isNew: false } });
    expect(flares.parse(get('SessionID=f3&MSISDN=9198&input=384&newRequest=1'), CTX)).toMatchObject({ ok: true, value: { isNew: true } });
  });

  it('treats a missing input as empty, missing ids as malformed', () => {
    expect(flares.parse(get('SessionID=f1&MSISDN=919810000001'), CTX)).toMatchObject({ ok: true, value: { input: '' } });
    expect(flares.parse(get('MSISDN=919810000001&input=1'), CTX)).toMatchObject({ ok: false, error: { kind: 'malformed' } });
    expect(flares.parse(get(''), CTX)).toMatchObject({ ok: false, error: { kind: 'malformed' } });
  });

  it('renders Freeflow FC / FB with charge N', () => {
    expect(flares.render({ text: 'Menu', end: false }, null)).toEqual({
      status: 200, contentType: 'text/plain; charset=utf-8', headers: [['Freeflow', 'FC'], ['charge', 'N']], body: 'Menu',
    });
    expect(flares.render({ text: 'Bye', end: true }, null).headers).toContainEqual(['Freeflow', 'FB']);
  });
});
