import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERRORS } from '../../../src/gateway/errors.js';

describe('error registry', () => {
  it('is documented in README.md, code by code, with the same status', () => {
    const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
    const documented = new Map<string, number>();
    for (const m of readme.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \|/gm)) documented.set(m[1]!, Number(m[2]));
    for (const [code, { status }] of Object.entries(ERRORS)) {
      expect(documented.get(code), `README documents ${code}`).toBe(status);
    }
    expect([...documented.keys()].filter((c) => !(c in ERRORS))).toEqual([]);
  });
});
