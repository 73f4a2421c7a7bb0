import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../../../src/config/load.js';
import { smsConfigSchema, ussdConfigSchema } from '../../../../src/gateway/ussd/config.js';

describe('ussd/sms config', () => {
  it('has defaults for everything', () => {
    const c = ussdConfigSchema.parse({});
    expect(c).toMatchObject({ serviceCode: '*384#', sessionTtlSec: 180, deadlineMs: 150, resendWindowMs: 5000, defaultLanguage: 'en', screenLimits: { gsm7: 182, ucs2: 80 } });
    expect(Object.keys(c.vendors)).toEqual(['africastalking', 'hubtel', 'flares', 'truroute', 'imimobile']);
    expect(c.vendors.hubtel).toEqual({ enabled: true, allowFrom: [], secretHeader: 'x-hopgate-secret', open: false });
    expect(smsConfigSchema.parse({})).toMatchObject({ deadlineMs: 1000, kannel: { enabled: true, allowFrom: [] } });
  });

  it('names the key of a bad value', () => {
    const r = ussdConfigSchema.safeParse({ serviceCode: '384', vendors: { hubtel: { secret: 'short' }, nope: {} } });
    expect(r.success).toBe(false);
    const paths = r.error!.issues.map((i) => i.path.join('.'));
    expect(paths).toContain('serviceCode');
    expect(paths).toContain('vendors.hubtel.secret');
    expect(r.error!.issues.some((i) => i.code === 'unrecognized_keys')).toBe(true);
  });

  it('is part of the site config: defaults, frozen, errors name the full key', () => {
    const c = parseConfig({ siteId: 'nbo', siteNumber: 1 });
    expect(c.ussd.deadlineMs).toBe(150);
    expect(c.sms.kannel.allowFrom).toEqual([]);
    expect(Object.isFrozen(c.ussd.vendors.hubtel)).toBe(true);
    expect(() => parseConfig({ siteId: 'nbo', siteNumber: 1, ussd: { vendors: { hubtel: { secret: 'short' } } } })).toThrow(ConfigError);
    try {
      parseConfig({ siteId: 'nbo', siteNumber: 1, ussd: { vendors: { hubtel: { secret: 'short' } } } });
    } catch (e) {
      expect((e as ConfigError).problems).toEqual(['ussd.vendors.hubtel.secret: must be at least 16 characters']);
    }
  });
});
