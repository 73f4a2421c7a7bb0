import { describe, expect, it } from 'vitest';
import { DIALECTS, DIALECT_NAMES, dialectByName } from '../../../../../src/gateway/ussd/vendors/index.js';
import { CTX, get, post } from '../support/wire.js';

describe('dialect registry', () => {
  it('lists the five dialects with unique names', () => {
    expect(DIALECT_NAMES).toEqual(['africastalking', 'hubtel', 'flares', 'truroute', 'imimobile']);
    expect(dialectByName('hubtel')?.name).toBe('hubtel');
    expect(dialectByName('nope')).toBeUndefined();
  });

  it('no dialect throws on hostile input', () => {
    const bodies = ['', '\u0000\u0001', '%E0%A4%A', '{"SessionId":{}}', '<a><b><c/></b></a>', 'x'.repeat(20_000), '&&&==&', '<?xml?>'];
    for (const d of DIALECTS) {
      for (const b of bodies) {
        for (const ct of ['', 'application/json', 'text/xml', 'application/x-www-form-urlencoded']) {
          expect(() => d.parse(post(ct, b), CTX)).not.toThrow();
        }
        expect(() => d.parse(get(encodeURIComponent(b)), CTX)).not.toThrow();
      }
    }
  });
});
