import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../../src/config/load.js';

const secret = 'x'.repeat(32);
const peer = (siteId: string) => ({ siteId, url: `http://127.0.0.1:9/${siteId}`, secret });

function problems(raw: object): string[] {
  try {
    parseConfig(raw);
    return [];
  } catch (e) {
    return [...(e as ConfigError).problems];
  }
}

describe('site topology at start-up (exactly one site holds points)', () => {
  it('accepts a points site and a site naming a peer as its points site', () => {
    expect(problems({ siteId: 'nbo', siteNumber: 1, pointsSite: 'nbo', peers: [peer('mba')] })).toEqual([]);
    expect(problems({ siteId: 'mba', siteNumber: 2, capabilities: ['checkin', 'ussd', 'sms', 'notify'], pointsSite: 'nbo', peers: [peer('nbo')] })).toEqual([]);
    // A lone site without points (no peers): nothing to tell it is wrong.
    expect(problems({ siteId: 'solo', siteNumber: 3, capabilities: ['checkin', 'notify'] })).toEqual([]);
  });

  it('refuses a points site that names another points site', () => {
    expect(problems({ siteId: 'nbo', siteNumber: 1, pointsSite: 'mba', peers: [peer('mba')] }).join('\n')).toMatch(/^pointsSite: this site holds points, yet pointsSite names mba/m);
  });

  it('refuses a site without points that has peers but names no points site, or names one that is not a peer', () => {
    const base = { siteId: 'mba', siteNumber: 2, capabilities: ['checkin', 'notify'], peers: [peer('nbo')] };
    expect(problems(base).join('\n')).toMatch(/^pointsSite: this site does not hold points: name the peer that does/m);
    expect(problems({ ...base, pointsSite: 'ksm' }).join('\n')).toMatch(/^pointsSite: ksm is not one of the peers \(nbo\)/m);
    expect(problems({ ...base, pointsSite: 'mba' }).join('\n')).toMatch(/^pointsSite: names this site, which does not hold points/m);
  });

  it('refuses peers naming this site or repeated, and ussd/sms without checkin', () => {
    const text = problems({ siteId: 'nbo', siteNumber: 1, peers: [peer('nbo'), peer('mba'), peer('mba')], capabilities: ['ussd', 'sms', 'points'] }).join('\n');
    expect(text).toMatch(/^peers\.0\.siteId: a site cannot be its own peer/m);
    expect(text).toMatch(/^peers\.2\.siteId: peer mba is listed twice/m);
    expect(text).toMatch(/^capabilities: ussd checks subscribers in/m);
    expect(text).toMatch(/^capabilities: sms checks subscribers in/m);
  });

  it('loads the three example site configs: one points site, the others naming it', () => {
    const configs = ['nbo', 'mba', 'ksm'].map((s) => loadConfig(new URL(`../../../config/sites/${s}.yaml`, import.meta.url).pathname, {}));
    expect(configs.filter((c) => c.capabilities.includes('points')).map((c) => c.siteId)).toEqual(['nbo']);
    for (const c of configs) {
      expect(c.pointsSite).toBe('nbo');
      expect(c.peers.map((p) => p.siteId).sort()).toEqual(['ksm', 'mba', 'nbo'].filter((s) => s !== c.siteId));
    }
    // Distinct ids, numbers, ports, databases and local prefixes; one shared read-model prefix.
    for (const key of ['siteId', 'siteNumber'] as const) expect(new Set(configs.map((c) => c[key])).size).toBe(3);
    expect(new Set(configs.map((c) => c.http.port)).size).toBe(3);
    expect(new Set(configs.map((c) => c.mysql.database)).size).toBe(3);
    expect(new Set(configs.map((c) => c.redis.local.keyPrefix)).size).toBe(3);
    expect(new Set(configs.map((c) => c.redis.readModel.keyPrefix)).size).toBe(1);
    expect(new Set(configs.map((c) => c.redis.readModel.port)).size).toBe(3);
    // Each pair of sites shares one secret, the same on both sides.
    for (const a of configs) {
      for (const p of a.peers) {
        const b = configs.find((c) => c.siteId === p.siteId)!;
        expect(b.peers.find((q) => q.siteId === a.siteId)!.secret).toBe(p.secret);
        expect(p.url).toBe(`http://127.0.0.1:${b.http.port}`);
      }
    }
    expect(new Set(configs.flatMap((c) => c.peers.map((p) => p.secret))).size).toBe(3);
  });
});
