import { readFileSync } from 'node:fs';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { EventMetrics } from '../../../src/pipeline/event-metrics.js';
import { EVENT_ERRORS } from '../../../src/workers/errors.js';
import { poolConfigSchema } from '../../../src/workers/pool-config.js';
import { pointsConfigSchema } from '../../../src/core/points-config.js';

const doc = readFileSync(new URL('../../../docs/events.md', import.meta.url), 'utf8');

describe('docs/events.md', () => {
  it('documents every event error code', () => {
    for (const code of Object.keys(EVENT_ERRORS)) expect(doc, code).toContain(`\`${code}\``);
  });

  it('documents every events metric', async () => {
    const registry = new Registry();
    new EventMetrics(registry);
    for (const m of await registry.getMetricsAsJSON()) expect(doc, m.name).toContain(`\`${m.name}`);
  });

  it('documents every pool and points config key', () => {
    for (const key of [...Object.keys(poolConfigSchema.shape), ...Object.keys(pointsConfigSchema.shape)]) expect(doc, key).toContain(`\`${key}\``);
  });
});
