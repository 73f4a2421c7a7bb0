import { afterEach, describe, expect, it } from 'vitest';
import { EVENT_BIT } from '../../src/core/events.js';
import { DeadLetterRepository } from '../../src/store/mysql/dead-letters.js';
import { createEventsEnv, type EventsEnv } from '../helpers/events-env.js';
import { checkInvariants } from '../helpers/events-invariants.js';
import { metricValue, pendingCount, startPoolEvents, waitFor, type RunningEvents } from '../helpers/events-pool.js';

// These run the built worker (dist/workers/entry.js): `npm test` builds first.

const CITIES = ['Nairobi', 'Mombasa', 'Kisumu'];
let env: EventsEnv | undefined;
let events: RunningEvents | undefined;

afterEach(async () => {
  await events?.stop();
  events = undefined;
  await env?.cleanup();
  env = undefined;
});

async function seedVenues(e: EventsEnv, n: number): Promise<void> {
  for (let i = 0; i < n; i++) await e.addVenue(`P${i}`, CITIES[i % CITIES.length]!);
}

/** Check-ins spread over users, venues and four local days, all committed concurrently. */
async function checkIns(e: EventsEnv, n: number, venues: number, users: number): Promise<string[]> {
  const base = Date.UTC(2026, 10, 23, 6);
  const out = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      e.checkIn(`+2547200${String(i % users).padStart(5, '0')}`, `P${(i * 7) % venues}`, base + (i % 4) * 86_400_000 + i * 1000),
    ),
  );
  return out.map((c) => c.id);
}

describe('dispatcher and pool', () => {
  it('processes every committed check-in in batches, all five events, exactly once in effect', async () => {
    env = await createEventsEnv({ pool: { batchMaxCheckins: 50 } });
    await seedVenues(env, 12);
    events = await startPoolEvents(env);
    const running = events;
    env.writer.subscribe(running.dispatcher);
    await checkIns(env, 600, 12, 40);
    const e = env;
    await waitFor(async () => (await pendingCount(e)) === 0, 30_000, 'all events handled');
    const report = await checkInvariants(env);
    expect(report.problems).toEqual([]);
    expect(report.notificationsSent).toBeGreaterThanOrEqual(600);
    // Batches, not tasks per event or per check-in.
    const batches = await metricValue(events.registry, 'hopgate_events_batches_total', { outcome: 'ok' });
    expect(batches).toBeGreaterThanOrEqual(12);
    expect(batches).toBeLessThan(600);
    expect(await metricValue(events.registry, 'hopgate_events_handled_total', { event: 'stats.record' })).toBe(600);
    expect(await metricValue(events.registry, 'hopgate_events_lag_seconds_count')).toBe(600);
  });

  it('parks a poison event as a dead letter while the rest complete, and replays it once fixed', async () => {
    env = await createEventsEnv();
    await seedVenues(env, 4);
    events = await startPoolEvents(env);
    const running = events;
    env.writer.subscribe(running.dispatcher);
    const good = await checkIns(env, 100, 4, 20);
    const poison = await env.checkIn('+254729999999', 'GHOST', Date.UTC(2026, 10, 24, 9));
    const e = env;
    await waitFor(async () => (await pendingCount(e)) === 0, 20_000, 'nothing pending');
    const [row] = (await env.db.query('SELECT dead, attempts, last_error FROM checkin_work WHERE checkin_id = ?', [poison.id]))[0] as Array<{
      dead: number;
      attempts: number;
      last_error: string;
    }>;
    // points.award fails; leaderboard.update and notify.user wait for it; skipper and stats complete.
    expect(row!.dead).toBe(EVENT_BIT['points.award'] | EVENT_BIT['leaderboard.update'] | EVENT_BIT['notify.user']);
    expect(row!.attempts).toBe(env.config.pool.maxAttempts);
    expect(row!.last_error).toMatch(/^points\.award: EVENT_VENUE_UNKNOWN/);
    const [done] = (await env.db.query('SELECT COUNT(*) n FROM checkin_work WHERE checkin_id IN (?) AND pending = 0 AND dead = 0', [good]))[0] as Array<{
      n: string;
    }>;
    expect(Number(done!.n)).toBe(100);
    expect(await metricValue(events.registry, 'hopgate_events_dead_lettered_total', { event: 'points.award' })).toBe(1);
    await events.dispatcher.recover(0); // samples the gauges
    expect(await metricValue(events.registry, 'hopgate_events_dead_letters', { event: 'notify.user' })).toBe(1);
    expect(await metricValue(events.registry, 'hopgate_events_dead_letters', { event: 'stats.record' })).toBe(0);
    expect(await metricValue(events.registry, 'hopgate_events_pending', { event: 'points.award' })).toBe(0);
    expect(await metricValue(events.registry, 'hopgate_events_failed_total', { code: 'EVENT_VENUE_UNKNOWN' })).toBe(env.config.pool.maxAttempts);

    const repo = new DeadLetterRepository(env.db);
    const listed = await repo.list();
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ checkinId: poison.id, events: ['points.award', 'leaderboard.update', 'notify.user'], venueId: 'GHOST' });

    await env.addVenue('GHOST', 'Nairobi', 'Ghost Bar');
    expect(await repo.replay({ ids: [poison.id] })).toBe(1);
    await events.dispatcher.recover(0);
    await waitFor(async () => (await pendingCount(e)) === 0, 20_000, 'replayed event handled');
    expect(await repo.list()).toEqual([]);
    const report = await checkInvariants(env);
    expect(report.problems).toEqual([]);
    // base 10 + first visit 20 + skipper 5: skipper.evaluate completed earlier and made them GHOST's skipper.
    expect(Number(await env.redis.hget(env.key('user:+254729999999'), 'total'))).toBe(35);
  });

  it('survives a worker killed mid-batch: the batch is retried and nothing is counted twice', async () => {
    env = await createEventsEnv({ pool: { batchMaxCheckins: 100, maxAttempts: 8 } });
    await seedVenues(env, 10);
    // A backlog committed while no dispatcher ran; the recovery pass at start picks it up.
    await checkIns(env, 1500, 10, 60);
    events = await startPoolEvents(env);
    const piscina = events.pool.piscina;
    const running = events;
    await waitFor(async () => running.dispatcher.outstandingBatches > 0 && running.reports.length >= 1, 20_000, 'batches running');
    await Promise.all(piscina.threads.map((t) => t.terminate()));
    const e = env;
    await waitFor(async () => (await pendingCount(e)) === 0, 60_000, 'all events handled after the kill');
    expect(await metricValue(events.registry, 'hopgate_events_batches_total', { outcome: 'lost' })).toBeGreaterThanOrEqual(1);
    const report = await checkInvariants(env);
    expect(report.problems).toEqual([]);
  });
});
