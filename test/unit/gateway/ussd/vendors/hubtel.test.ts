import { describe, expect, it } from 'vitest';
import { hubtel } from '../../../../../src/gateway/ussd/vendors/hubtel.js';
import { CTX, post } from '../support/wire.js';

const json = (o: unknown) => post('application/json', JSON.stringify(o));

describe('Hubtel dialect', () => {
  it('parses an Initiation with the dialled string as input', () => {
    const r = hubtel.parse(json({ SessionId: 'h1', Mobile: '233244000001', ServiceCode: '713', Type: 'Initiation', Message: '*384*123#', Operator: 'MTN', Sequence: 1, ClientState: '' }), CTX);
    expect(r).toEqual({
      ok: true,
      value: {
        vendor: 'hubtel', sessionKey: 'h1', msisdn: '233244000001', serviceCode: '713', isNew: true,
        input: '*384*123#', path: null, hopTag: '1', network: 'MTN', kind: 'hop',
      },
    });
  });

  it('maps Response, Release and Timeout', () => {
    const base = { SessionId: 'h1', Mobile: '233244000001', Message: '2', Sequence: 2 };
    expect(hubtel.parse(json({ ...base, Type: 'Response' }), CTX)).toMatchObject({ ok: true, value: { isNew: false, kind: 'hop', input: '2' } });
    expect(hubtel.parse(json({ ...base, Type: 'Release' }), CTX)).toMatchObject({ ok: true, value: { kind: 'release' } });
    expect(hubtel.parse(json({ ...base, Type: 'timeout' }), CTX)).toMatchObject({ ok: true, value: { kind: 'timeout' } });
  });

  it('answers an unknown Type as unusable (polite END), keeping who asked', () => {
    expect(hubtel.parse(json({ SessionId: 'h1', Mobile: '233244000001', Type: 'Bogus' }), CTX)).toMatchObject({
      ok: false,
      error: { kind: 'unusable', sessionKey: 'h1', msisdn: '233244000001' },
    });
  });

  it('answers a Type named like an Object.prototype member as unusable, not as a hang-up', () => {
    for (const Type of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(hubtel.parse(json({ SessionId: 'h1', Mobile: '233244000001', Type }), CTX), Type).toMatchObject({ ok: false, error: { kind: 'unusable' } });
    }
  });

  it('refuses non-JSON, non-objects, empty bodies and missing ids as malformed', () => {
    for (const body of ['', '{', '[]', 'null', '"x"', JSON.stringify({ Mobile: '233244000001', Type: 'Initiation' })]) {
      expect(hubtel.parse(post('application/json', body), CTX)).toMatchObject({ ok: false, error: { kind: 'malformed' } });
    }
  });

  it('renders Response / Release JSON', () => {
    const r = hubtel.render({ text: 'Hi "there"', end: false }, null);
    expect(r.contentType).toBe('application/json; charset=utf-8');
    expect(JSON.parse(r.body)).toEqual({ Type: 'Response', Message: 'Hi "there"', ClientState: '' });
    expect(JSON.parse(hubtel.render({ text: 'Bye', end: true }, null).body).Type).toBe('Release');
  });
});
