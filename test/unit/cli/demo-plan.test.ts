import { describe, expect, it } from 'vitest';
import { demoPlan } from '../../../src/cli/demo-plan.js';
import { loadConfig, parseConfig } from '../../../src/config/load.js';
import type { Config } from '../../../src/config/schema.js';

const examples = (): Config[] => ['nbo', 'mba', 'ksm'].map((s) => loadConfig(new URL(`../../../config/sites/${s}.yaml`, import.meta.url).pathname, {}));

describe('hopgate demo plan', () => {
  it('chains the read models in site order from the points site: master, replica, replica of the replica', () => {
    expect(demoPlan(examples()).chain).toEqual([
      { siteId: 'nbo', port: 6391, replicaOf: null },
      { siteId: 'mba', port: 6392, replicaOf: 6391 },
      { siteId: 'ksm', port: 6393, replicaOf: 6392 },
    ]);
  });

  it('refuses configs that cannot run together', () => {
    const [nbo, mba, ksm] = examples();
    expect(() => demoPlan([mba!, nbo!, ksm!])).toThrow(/the first site must be the one site holding points/);
    const clash = parseConfig({ ...structuredClone(ksm), http: { ...ksm!.http, port: 8182 }, redis: { ...ksm!.redis, readModel: { ...ksm!.redis.readModel, port: 6379 } } });
    const text = (() => {
      try {
        demoPlan([nbo!, mba!, clash]);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    })();
    expect(text).toMatch(/http\.port must differ between sites/);
    expect(text).toMatch(/ksm: redis\.readModel must be a server of its own/);
    expect(text).toMatch(/mba: peer ksm url http:\/\/127\.0\.0\.1:8183 is not its http\.port 8182/);
  });
});
