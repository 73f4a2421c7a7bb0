import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** A recorded-style exchange: what a vendor sends, and exactly what it must get back. */
export interface FixtureStep {
  readonly request: {
    readonly method: 'GET' | 'POST';
    readonly query?: string;
    readonly headers: Record<string, string>;
    readonly body: string;
  };
  readonly expect: {
    readonly status: number;
    /** Lower-case names; only these are compared. */
    readonly headers: Record<string, string>;
    readonly body?: string;
    readonly bodyJson?: unknown;
  };
}

export interface Fixture {
  readonly file: string;
  readonly description: string;
  readonly steps: readonly FixtureStep[];
}

const ROOT = fileURLToPath(new URL('../../fixtures/', import.meta.url));

export function loadFixtures(dir: string): Fixture[] {
  const full = join(ROOT, dir);
  return readdirSync(full)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      const raw = JSON.parse(readFileSync(join(full, f), 'utf8')) as { description: string; steps: FixtureStep[] };
      return { file: `${dir}/${f}`, description: raw.description, steps: raw.steps };
    });
}

/** Replays a fixture against `baseUrl + path`, step by step, comparing status, headers, body. */
export async function runFixture(baseUrl: string, path: string, fx: Fixture): Promise<void> {
  for (const [i, step] of fx.steps.entries()) {
    const r = step.request;
    const url = `${baseUrl}${path}${r.query ? `?${r.query}` : ''}`;
    const res = await fetch(url, {
      method: r.method,
      headers: r.headers,
      ...(r.method === 'POST' ? { body: r.body } : {}),
    });
    const text = await res.text();
    const where = `${fx.file} step ${i + 1}`;
    expect(res.status, `${where}: status (${text})`).toBe(step.expect.status);
    for (const [name, value] of Object.entries(step.expect.headers)) {
      expect(res.headers.get(name), `${where}: header ${name}`).toBe(value);
    }
    if (step.expect.body !== undefined) expect(text, `${where}: body`).toBe(step.expect.body);
    if (step.expect.bodyJson !== undefined) expect(JSON.parse(text), `${where}: body`).toEqual(step.expect.bodyJson);
  }
}
