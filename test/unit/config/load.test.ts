import { describe, expect, it } from 'vitest';
import { applyEnvOverrides, ConfigError, loadConfig, parseConfig } from '../../../src/config/load.js';

const minimal = { siteId: 'nbo', siteNumber: 1 };

describe('config', () => {
  it('fills defaults and freezes the result', () => {
    const c = parseConfig(minimal);
    expect(c.http.port).toBe(8080);
    expect(c.writer.maxWaitMs).toBe(1);
    expect(c.redis.readModel.keyPrefix).toBe('hg:');
    expect(Object.isFrozen(c)).toBe(true);
    expect(Object.isFrozen(c.mysql)).toBe(true);
  });

  it('names every key that is wrong', () => {
    try {
      parseConfig({ ...minimal, siteNumber: 5000, mysql: { port: 'x' }, timeZone: 'Mars/Olympus', unknownKey: 1 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const text = (e as ConfigError).problems.join('\n');
      expect(text).toContain('siteNumber:');
      expect(text).toContain('mysql.port:');
      expect(text).toContain('timeZone:');
      expect(text).toMatch(/unknownKey/);
    }
  });

  it('refuses a peer list that names this site, a peer twice, or a URL that is not http(s)', () => {
    const secret = 's'.repeat(32);
    try {
      parseConfig({
        ...minimal,
        peers: [
          { siteId: 'nbo', url: 'http://127.0.0.1:1', secret },
          { siteId: 'mba', url: 'http://127.0.0.1:2', secret },
          { siteId: 'mba', url: 'ftp://127.0.0.1:3', secret },
          { siteId: 'ksm', url: 'http://127.0.0.1:4', secret: 'short' },
        ],
      });
      expect.unreachable();
    } catch (e) {
      const text = (e as ConfigError).problems.join('\n');
      expect(text).toContain('peers.0.siteId: a site cannot be its own peer');
      expect(text).toContain('peers.2.siteId: peer mba is listed twice');
      expect(text).toContain('peers.2.url: must be an http:// or https:// URL');
      expect(text).toContain('peers.3.secret: must be at least 32 characters');
    }
    expect(parseConfig({ ...minimal, peers: [{ siteId: 'mba', url: 'http://127.0.0.1:2', secret }] }).sync.backoffCapMs).toBe(5000);
  });

  it('applies HOPGATE__ overrides, parsing JSON values', () => {
    const raw = applyEnvOverrides(
      { siteId: 'nbo', siteNumber: 1, mysql: { port: 3306 } },
      { HOPGATE__MYSQL__PORT: '3307', HOPGATE__HTTP__EXCLUSIVEPORT: 'false', HOPGATE__LOG__LEVEL: 'debug', OTHER: 'x' },
    );
    const c = parseConfig(raw);
    expect(c.mysql.port).toBe(3307);
    expect(c.http.exclusivePort).toBe(false);
    expect(c.log.level).toBe('debug');
  });

  it('loads the shipped example config', () => {
    const c = loadConfig(new URL('../../../config/site.example.yaml', import.meta.url).pathname, {});
    expect(c.siteId).toBe('local');
    expect(c.auth.apiKeys.map((k) => k.role).sort()).toEqual(['admin', 'client']);
  });

  it('reports an unreadable file and bad YAML clearly', () => {
    expect(() => loadConfig('/nonexistent/hopgate.yaml', {})).toThrow(/cannot read/);
  });

  it('refuses a USSD dialect or SMS route open to any source on an address beyond loopback', () => {
    const problems = (raw: object): readonly string[] => {
      try {
        parseConfig(raw);
        return [];
      } catch (e) {
        return (e as ConfigError).problems;
      }
    };
    // On loopback (the default host) an open route is reachable only from this machine.
    expect(problems(minimal)).toEqual([]);
    const wide = { ...minimal, http: { host: '0.0.0.0' } };
    const text = problems(wide).join('\n');
    for (const route of ['ussd.vendors.africastalking', 'ussd.vendors.hubtel', 'ussd.vendors.flares', 'ussd.vendors.truroute', 'ussd.vendors.imimobile', 'sms.kannel']) {
      expect(text).toContain(`${route}: open to any source`);
    }
    // An allow-list, a secret, `enabled: false` or an explicit `open: true` each settle it.
    const vendors = {
      africastalking: { allowFrom: ['10.0.0.0/8'] },
      hubtel: { secret: 'a-shared-secret-of-16+' },
      flares: { enabled: false },
      truroute: { open: true },
      imimobile: { allowFrom: ['::1'] },
    };
    expect(problems({ ...wide, ussd: { vendors }, sms: { kannel: { secret: 'a-shared-secret-of-16+' } } })).toEqual([]);
    expect(problems({ ...minimal, http: { host: '::' }, ussd: { vendors }, sms: { kannel: {} } })).toEqual(['sms.kannel: open to any source on :: (set allowFrom and/or secret, enabled: false, or open: true to accept it)']);
    expect(problems({ ...minimal, http: { host: '127.0.0.2' } })).toEqual([]);
    expect(problems({ ...minimal, http: { host: 'localhost' } })).toEqual([]);
  });
});
