import { describe, expect, it } from 'vitest';
import { Params } from '../../../../src/gateway/ussd/params.js';

function viaUrlSearchParams(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(text)) if (!m.has(k.toLowerCase())) m.set(k.toLowerCase(), v);
  return m;
}

function parsed(text: string): Map<string, string> {
  const p = Params.of({ method: 'POST', query: '', contentType: 'application/x-www-form-urlencoded', body: Buffer.from(text) });
  const m = new Map<string, string>();
  for (const k of viaUrlSearchParams(text).keys()) m.set(k, p.get(k)!);
  expect(p.size).toBe(m.size);
  return m;
}

describe('Params: form decoding', () => {
  const cases = [
    'sessionId=ATUid_1&phoneNumber=%2B254711000001&serviceCode=*384*123%23&text=&networkCode=63902',
    'text=1*123&text=2',
    'a=b+c%2Bd&SessionID=X&sessionid=Y',
    'a&b=&=c&&d=e=f',
    'name=%E0%A4%A8%E0%A4%AE%E0%A4%B8%E0%A5%8D%E0%A4%A4%E0%A5%87',
    'broken=%&also=%zz&x=%E0%A4',
    'bad=%C0%80&surrogate=%ED%A0%80&ok=1',
    '',
    '&&&',
    '%41%42=%43',
  ];
  for (const text of cases) {
    it(`decodes ${JSON.stringify(text)} exactly as URLSearchParams does`, () => {
      expect(parsed(text)).toEqual(viaUrlSearchParams(text));
    });
  }

  it('the first occurrence of a name wins, whatever its case', () => {
    const p = Params.of({ method: 'GET', query: 'SessionId=q', contentType: 'application/x-www-form-urlencoded', body: Buffer.from('sessionid=b&SESSIONID=c') });
    expect(p.get('sessionid')).toBe('q');
  });
});
