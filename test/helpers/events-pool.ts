import { pino } from 'pino';
import { Registry } from 'prom-client';
import { EventDispatcher } from '../../src/pipeline/dispatcher.js';
import { EventMetrics } from '../../src/pipeline/event-metrics.js';
import { PiscinaEventPool } from '../../src/pipeline/event-pool.js';
import { WorkStore } from '../../src/store/mysql/work-store.js';
import type { EventBatchReport } from '../../src/workers/protocol.js';
import type { EventsEnv } from './events-env.js';

export interface RunningEvents {
  readonly pool: PiscinaEventPool;
  readonly dispatcher: EventDispatcher;
  readonly metrics: EventMetrics;
  readonly registry: Registry;
  readonly reports: EventBatchReport[];
  stop(): Promise<void>;
}

/** A real Piscina pool (built dist/workers/entry.js) and dispatcher over the env's database. */
export async function startPoolEvents(env: EventsEnv): Promise<RunningEvents> {
  const registry = new Registry();
  const metrics = new EventMetrics(registry);
  const pool = new PiscinaEventPool(env.config);
  const reports: EventBatchReport[] = [];
  const dispatcher = new EventDispatcher({
    pool,
    work: new WorkStore(env.db),
    metrics,
    config: env.config.pool,
    log: pino({ level: 'silent' }),
    onReport: (r) => reports.push(r),
  });
  await dispatcher.start();
  return {
    pool,
    dispatcher,
    metrics,
    registry,
    reports,
    async stop() {
      await dispatcher.drain();
      await pool.close();
    },
  };
}

/** Polls until `check` is true; bounded by `timeoutMs`. */
export async function waitFor(check: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

export async function pendingCount(env: EventsEnv): Promise<number> {
  const [rows] = await env.db.query('SELECT COUNT(*) AS n FROM checkin_work WHERE pending <> 0');
  return Number((rows as Array<{ n: string }>)[0]!.n);
}

export async function metricValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const base = name.replace(/_(count|sum|bucket)$/, '');
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name || x.name === base);
  let sum = 0;
  for (const v of (m?.values ?? []) as Array<{ value: number; labels: Record<string, string | number>; metricName?: string }>) {
    if (v.metricName !== undefined && v.metricName !== name) continue;
    if (Object.entries(labels).every(([k, want]) => String(v.labels[k]) === want)) sum += v.value;
  }
  return sum;
}
