import { describe, expect, it } from 'vitest';
import { africastalking } from '../../../../../src/gateway/ussd/vendors/africastalking.js';
import { CTX, form, post } from '../support/wire.js';

describe("Africa's Talking dialect", () => {
  it('parses the first hop with an empty text', () => {
    const r = africastalking.parse(form({ sessionId: 'ATUid_1', phoneNumber: '+254711000001', serviceCode: '*384#', text: '', networkCode: '63902' }), CTX);
    expect(r).toEqual({
      ok: true,
      value: {
        vendor: 'africastalking', sessionKey: 'ATUid_1', msisdn: '+254711000001', serviceCode: '*384#',
        isNew: null, input: '', path: [], hopTag: null, network: '63902', kind: 'hop',
      },
    });
  });

  it('treats an absent text as the first hop', () => {
    const r = africastalking.parse(form({ sessionId: 's', phoneNumber: '254711000001' }), CTX);
    expect(r.ok && r.value.path).toEqual([]);
  });

  it('splits cumulative text into the path; input is the last element', () => {
    const r = africastalking.parse(form({ sessionId: 's', phoneNumber: '254711000001', serviceCode: '*384#', text: '1*123' }), CTX);
    expect(r.ok && [r.value.path, r.value.input]).toEqual([['1', '123'], '123']);
  });

  it('puts a dial-through extension of serviceCode first in the path', () => {
    const r = africastalking.parse(form({ sessionId: 's', phoneNumber: '254711000001', serviceCode: '*384*123#', text: '' }), CTX);
    expect(r.ok && r.value.path).toEqual(['123']);
  });

  it('accepts other spellings of field names', () => {
    const r = africastalking.parse(form({ SESSIONID: 's', PhoneNumber: '254711000001', Text: '2' }), CTX);
    expect(r.ok && r.value.input).toBe('2');
  });

  it('refuses a request without session id or phone number as malformed', () => {
    expect(africastalking.parse(form({ phoneNumber: '254711000001' }), CTX)).toMatchObject({ ok: false, error: { kind: 'malformed' } });
    expect(africastalking.parse(post('application/x-www-form-urlencoded', ''), CTX)).toMatchObject({ ok: false, error: { kind: 'malformed' } });
  });

  it('renders CON and END', () => {
    expect(africastalking.render({ text: 'Menu', end: false }, null)).toEqual({ status: 200, contentType: 'text/plain; charset=utf-8', headers: [], body: 'CON Menu' });
    expect(africastalking.render({ text: 'Bye', end: true }, null).body).toBe('END Bye');
  });
});
