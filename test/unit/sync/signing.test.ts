import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { sign, verify } from '../../../src/sync/signing.js';

describe('batch signing', () => {
  const secret = 'a-shared-secret-of-enough-length-0123';
  const body = Buffer.from('{"origin":"aa","to":"bb","entries":[]}');
  const now = 1_800_000_000_000;

  it('is HMAC-SHA256 over "<timestamp>.<body>"', () => {
    const expected = createHmac('sha256', secret).update(`${now}.${body.toString()}`).digest('hex');
    expect(sign(secret, now, body)).toBe(`sha256=${expected}`);
    expect(sign(secret, now, body.toString())).toBe(sign(secret, now, body));
  });

  it('accepts a good signature within the window, either side of now', () => {
    expect(verify(secret, String(now), sign(secret, now, body), body, now, 300)).toBe('ok');
    expect(verify(secret, String(now - 300_000), sign(secret, now - 300_000, body), body, now, 300)).toBe('ok');
    expect(verify(secret, String(now + 300_000), sign(secret, now + 300_000, body), body, now, 300)).toBe('ok');
  });

  it('refuses stale and future batches outside the window', () => {
    expect(verify(secret, String(now - 300_001), sign(secret, now - 300_001, body), body, now, 300)).toBe('stale');
    expect(verify(secret, String(now + 300_001), sign(secret, now + 300_001, body), body, now, 300)).toBe('stale');
  });

  it('refuses a tampered body, another secret, a moved timestamp, whatever the age', () => {
    const sig = sign(secret, now, body);
    expect(verify(secret, String(now), sig, Buffer.from(body.toString().replace('bb', 'cc')), now, 300)).toBe('bad-signature');
    expect(verify('another-secret-0123456789abcdef', String(now), sig, body, now, 300)).toBe('bad-signature');
    expect(verify(secret, String(now + 1), sig, body, now, 300)).toBe('bad-signature');
    const old = now - 3_600_000;
    expect(verify(secret, String(old), sig, body, now, 300)).toBe('bad-signature');
    expect(verify(secret, String(now), sig.slice(0, -1), body, now, 300)).toBe('bad-signature');
    expect(verify(secret, '12e3', sig, body, now, 300)).toBe('bad-signature');
  });

  it('calls a missing header unsigned', () => {
    expect(verify(secret, undefined, sign(secret, now, body), body, now, 300)).toBe('unsigned');
    expect(verify(secret, String(now), undefined, body, now, 300)).toBe('unsigned');
    expect(verify(secret, '', '', body, now, 300)).toBe('unsigned');
  });
});
