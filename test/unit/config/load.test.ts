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
});
