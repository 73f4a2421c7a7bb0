import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_BIT } from '../../src/core/events.js';
import { runBatch } from '../../src/workers/run-batch.js';
import { createWorkerContext, type WorkerContext } from '../../src/workers/worker-context.js';
import { createEventsEnv, type EventsEnv } from '../helpers/events-env.js';

// A site without the `points` capability: its check-ins owe only notify.user and
// stats.record here (the points site runs the rest when the check-in reaches it by sync).

let env: EventsEnv;
let ctx: WorkerContext;

beforeAll(async () => {
  env = await createEventsEnv({ capabilities: ['checkin', 'ussd', 'notify'] });
  ctx = await createWorkerContext(env.config);
  await env.addVenue('R1', 'Kisumu', 'Lakeside');
});

afterAll(async () => {
  await ctx?.close();
  await env?.cleanup();
});

describe('routing by capability', () => {
  it('runs only the events this site owes: no points, boards or skipper here', async () => {
    const c = await env.checkIn('+254733000001', 'R1', Date.UTC(2026, 10, 25, 9));
    const [[work]] = (await env.db.query('SELECT owed, pending FROM checkin_work WHERE checkin_id = ?', [c.id])) as unknown as [[{ owed: number }]];
    expect(work.owed).toBe(EVENT_BIT['notify.user'] | EVENT_BIT['stats.record']);
    // The confirmation waits for the points site's award (published to the read model).
    const waiting = await runBatch(ctx, { ids: [c.id], dispatchedMs: Date.now() });
    expect(waiting.tallies.map((t) => t.event).sort()).toEqual(['notify.user', 'stats.record']);
    expect(waiting.failures.map((f) => [f.event, f.code])).toEqual([['notify.user', 'NOTIFY_AWARD_PENDING']]);
    const [[counts]] = (await env.db.query(
      `SELECT (SELECT COUNT(*) FROM points_ledger) ledger, (SELECT COUNT(*) FROM skipper_state) skippers,
              (SELECT SUM(checkins) FROM stats_minute) stats, (SELECT pending FROM checkin_work WHERE checkin_id = ${c.id}) pending`,
    )) as unknown as [[{ ledger: string; skippers: string; stats: string; pending: number }]];
    expect(counts).toEqual({ ledger: '0', skippers: '0', stats: '1', pending: EVENT_BIT['notify.user'] });
    expect(await env.redis.exists(env.key('lb:global'))).toBe(0);

    // The points site's award arrives through the replica: the SMS states it.
    await env.redis.set(env.key(`award:${c.id}`), '1:30:75');
    await env.db.query('UPDATE checkin_work SET next_attempt_ms = 0 WHERE checkin_id = ?', [c.id]);
    const sent = await runBatch(ctx, { ids: [c.id], dispatchedMs: Date.now() });
    expect(sent.failures).toEqual([]);
    const line = JSON.parse(readFileSync(env.notifyFile, 'utf8').trim()) as { key: string; text: string };
    expect(line).toEqual(expect.objectContaining({ key: `${c.id}:checkin`, text: 'Checked in at Lakeside: +30 points. Total: 75.' }));
  });

  it('confirms without figures on the last attempt when the award never arrives', async () => {
    const c = await env.checkIn('+254733000002', 'R1', Date.UTC(2026, 10, 25, 10));
    await env.db.query('UPDATE checkin_work SET attempts = ? WHERE checkin_id = ?', [env.config.pool.maxAttempts - 1, c.id]);
    const report = await runBatch(ctx, { ids: [c.id], dispatchedMs: Date.now() });
    expect(report.failures).toEqual([]);
    const lines = readFileSync(env.notifyFile, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { key: string; text: string });
    expect(lines.find((l) => l.key === `${c.id}:checkin`)?.text).toBe('Checked in at Lakeside. Your points are on their way.');
  });
});
