import { describe, expect, it } from 'vitest';
import { ChannelGuard } from '../../../../src/gateway/ussd/channel-auth.js';
import { channelAuthSchema } from '../../../../src/gateway/ussd/config.js';

const facts = (remoteAddress: string, headerSecret = '', paramSecret = '') => ({ remoteAddress, headerSecret, paramSecret });
const guard = (raw: unknown) => new ChannelGuard(channelAuthSchema.parse(raw));

describe('ChannelGuard', () => {
  it('is open with no rule', () => {
    expect(guard({}).check(facts('203.0.113.9'))).toBe('ok');
  });

  it('checks source addresses: exact, CIDR, IPv6, IPv4-mapped (also zero-padded as uWS prints it)', () => {
    const g = guard({ allowFrom: ['127.0.0.1', '::1', '10.1.0.0/16'] });
    expect(g.check(facts('127.0.0.1'))).toBe('ok');
    expect(g.check(facts('::ffff:127.0.0.1'))).toBe('ok');
    expect(g.check(facts('0000:0000:0000:0000:0000:ffff:127.0.0.1'))).toBe('ok');
    expect(g.check(facts('0000:0000:0000:0000:0000:0000:0000:0001'))).toBe('ok');
    expect(g.check(facts('10.1.200.3'))).toBe('ok');
    expect(g.check(facts('10.2.0.1'))).toBe('address');
    expect(g.check(facts('garbage'))).toBe('address');
  });

  it('checks a shared secret from the header or the parameter', () => {
    const g = guard({ secret: '0123456789abcdef', secretParam: 'key' });
    expect(g.check(facts('1.2.3.4', '0123456789abcdef'))).toBe('ok');
    expect(g.check(facts('1.2.3.4', '', '0123456789abcdef'))).toBe('ok');
    expect(g.check(facts('1.2.3.4', 'wrong'))).toBe('secret');
    expect(g.check(facts('1.2.3.4'))).toBe('secret');
  });

  it('applies both rules together, and can disable a route', () => {
    const g = guard({ allowFrom: ['127.0.0.1'], secret: '0123456789abcdef' });
    expect(g.check(facts('127.0.0.1', '0123456789abcdef'))).toBe('ok');
    expect(g.check(facts('127.0.0.2', '0123456789abcdef'))).toBe('address');
    expect(g.check(facts('127.0.0.1', 'x'))).toBe('secret');
    expect(guard({ enabled: false }).check(facts('127.0.0.1'))).toBe('disabled');
  });

  it('refuses bad allowFrom entries at construction', () => {
    expect(() => guard({ allowFrom: ['localhost'] })).toThrow(/not an IP address/);
    expect(() => guard({ allowFrom: ['10.0.0.0/33'] })).toThrow(/prefix length/);
  });
});
