import { describe, expect, it } from 'vitest';
import { truroute } from '../../../../../src/gateway/ussd/vendors/truroute.js';
import { CTX, post } from '../support/wire.js';

const xml = (body: string) => post('text/xml', body);

describe('TruRoute dialect', () => {
  it('parses a new session', () => {
    const r = truroute.parse(xml('<?xml version="1.0"?><ussd><msisdn>254711000001</msisdn><sessionid>t1</sessionid><type>1</type><msg>*384#</msg></ussd>'), CTX);
    expect(r).toEqual({
      ok: true,
      value: {
        vendor: 'truroute', sessionKey: 't1', msisdn: '254711000001', serviceCode: '', isNew: true,
        input: '*384#', path: null, hopTag: null, network: null, kind: 'hop',
      },
    });
  });

  it('maps types 2, 3 and 4', () => {
    const env = (t: string) => xml(`<ussd><msisdn>254711000001</msisdn><sessionid>t1</sessionid><type>${t}</type><msg>1</msg></ussd>`);
    expect(truroute.parse(env('2'), CTX)).toMatchObject({ ok: true, value: { isNew: false, kind: 'hop', input: '1' } });
    expect(truroute.parse(env('3'), CTX)).toMatchObject({ ok: true, value: { kind: 'release' } });
    expect(truroute.parse(env('4'), CTX)).toMatchObject({ ok: true, value: { kind: 'timeout' } });
    expect(truroute.parse(env('9'), CTX)).toMatchObject({ ok: false, error: { kind: 'unusable', sessionKey: 't1' } });
  });

  it('answers a type named like an Object.prototype member as unusable, not as a hang-up', () => {
    for (const t of ['constructor', '__proto__', 'toString', 'valueOf']) {
      const body = xml(`<ussd><msisdn>254711000001</msisdn><sessionid>t1</sessionid><type>${t}</type><msg>1</msg></ussd>`);
      expect(truroute.parse(body, CTX), t).toMatchObject({ ok: false, error: { kind: 'unusable' } });
    }
  });

  it('refuses garbage, empty bodies, DTDs and missing ids as malformed', () => {
    const bodies = [
      '',
      'not xml at all',
      '<ussd><msisdn>1</msisdn>',
      '<!DOCTYPE ussd [<!ENTITY x SYSTEM "file:///etc/passwd">]><ussd><msisdn>&x;</msisdn><sessionid>t</sessionid><type>1</type></ussd>',
      '<ussd><type>1</type><msg>1</msg></ussd>',
    ];
    for (const b of bodies) expect(truroute.parse(xml(b), CTX)).toMatchObject({ ok: false, error: { kind: 'malformed' } });
  });

  it('renders type 2 / 3 and escapes the text and echoed ids', () => {
    const r = truroute.render({ text: 'A & B <ok>', end: false }, { sessionKey: 't<1>', msisdn: '254711000001' });
    expect(r.contentType).toBe('text/xml; charset=utf-8');
    expect(r.body).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><ussd><msisdn>254711000001</msisdn><sessionid>t&lt;1&gt;</sessionid><type>2</type><msg>A &amp; B &lt;ok&gt;</msg></ussd>',
    );
    expect(truroute.render({ text: 'Bye', end: true }, null).body).toContain('<type>3</type>');
  });
});
