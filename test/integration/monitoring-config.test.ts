import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../helpers/gateway-process.js';

/**
 * The alert rules and the Grafana dashboard in deploy/ are checked by the tools that will
 * read them (promtool), and every metric they name is one a real gateway exports — a renamed
 * metric would otherwise leave an alert that can never fire. The sync metrics are the names
 * agreed with the sync thread, which exports them once it exists.
 */
const DEPLOY = fileURLToPath(new URL('../../deploy/', import.meta.url));
const RULES = `${DEPLOY}prometheus/hopgate-alerts.yml`;
const SYNC_METRICS = new Set(['hopgate_sync_lag_seconds', 'hopgate_sync_backlog', 'hopgate_sync_breaker_open']);

let gw: TestGateway;
let exported: Set<string>;

beforeAll(async () => {
  gw = await startGateway({ config: { pool: { enabled: true, threads: 1 } } });
  await gw.request('GET', '/healthz');
  const text = (await gw.request('GET', '/metrics')).text;
  exported = new Set();
  for (const m of text.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    const [, name, type] = m as unknown as [string, string, string];
    exported.add(name);
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) exported.add(name + s);
  }
  exported.add('up');
});

afterAll(async () => {
  await gw?.stop();
});

function namesIn(text: string): string[] {
  return [...new Set(text.match(/\bhopgate_[a-z_]+\b/g) ?? [])];
}

describe('deploy/prometheus and deploy/grafana', () => {
  it('promtool accepts the rules, and their unit tests pass', () => {
    expect(execFileSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' })).toMatch(/SUCCESS: \d+ rules found/);
    expect(execFileSync('promtool', ['test', 'rules', 'hopgate-alerts.test.yml'], { cwd: `${DEPLOY}prometheus`, encoding: 'utf8' })).toMatch(/SUCCESS/);
  });

  it('every metric the rules and the dashboard name is exported by a gateway (sync: the agreed names)', () => {
    const rules = readFileSync(RULES, 'utf8');
    const dashboard = JSON.parse(readFileSync(`${DEPLOY}grafana/hopgate.json`, 'utf8')) as { panels: Array<{ targets: Array<{ expr: string }> }> };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr)).join('\n');
    for (const name of [...namesIn(rules), ...namesIn(exprs)]) {
      if (SYNC_METRICS.has(name)) continue;
      expect(exported.has(name), `${name} is not exported`).toBe(true);
    }
    for (const sync of SYNC_METRICS) {
      expect(rules, `an alert on ${sync}`).toContain(sync);
      expect(exprs, `a panel of ${sync}`).toContain(sync);
    }
    for (const alert of ['HopgateNotReady', 'HopgateHigh5xxRate', 'HopgateWriterFailing', 'HopgateEventLagHigh', 'HopgateDeadLetters', 'HopgateSyncLagHigh']) expect(rules).toContain(`alert: ${alert}`);
  });

  it('hopgate_ready reads 1 on a ready gateway', async () => {
    expect((await gw.request('GET', '/metrics')).text).toMatch(/^hopgate_ready\{site="test"\} 1$/m);
  });
});
