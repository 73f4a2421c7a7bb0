import { describe, expect, it } from 'vitest';
import { nestedDeeperThan } from '../../../../src/gateway/api/json-depth.js';

describe('nestedDeeperThan', () => {
  it('counts arrays and objects, not brackets inside strings', () => {
    expect(nestedDeeperThan('{"a":[1,{"b":2}]}', 3)).toBe(false);
    expect(nestedDeeperThan('{"a":[1,{"b":[2]}]}', 3)).toBe(true);
    expect(nestedDeeperThan('{"a":"[[[[{{{{"}', 1)).toBe(false);
    expect(nestedDeeperThan('{"a":"\\"[[[["}', 1)).toBe(false);
  });

  it('scans 5,000 levels without recursion', () => {
    const deep = '{"msisdn":' + '['.repeat(5000) + ']'.repeat(5000) + '}';
    expect(nestedDeeperThan(deep, 32)).toBe(true);
    expect(nestedDeeperThan(deep, 5001)).toBe(false);
  });
});
