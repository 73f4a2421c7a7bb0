import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkStore } from '../../src/store/mysql/work-store.js';
import { createEventsEnv, type EventsEnv } from '../helpers/events-env.js';

// The recovery loop's reads of checkin_work through ix_work_due (migration 007): the index
// holds only whether something is pending, so the masks come from the rows.

let env: EventsEnv;

beforeAll(async () => {
  env = await createEventsEnv();
});

afterAll(async () => {
  await env?.cleanup();
});

describe('WorkStore', () => {
  it('counts pending and parked work per event and fetches what is due, as bits are cleared', async () => {
    const now = Date.now();
    await env.db.query('INSERT INTO checkin_work (checkin_id, owed, pending, dead, next_attempt_ms, committed_ms) VALUES ?', [
      [
        [1, 31, 31, 0, 0, now - 10_000],
        [2, 31, 0, 0, 0, now - 10_000],
        [3, 31, 8, 0, now + 60_000, now - 10_000],
        [4, 31, 0, 2, 0, now - 10_000],
        [5, 31, 6, 0, 0, now - 10_000],
        [6, 31, 31, 0, 0, now],
      ],
    ]);
    const store = new WorkStore(env.db);
    const counts = await store.counts();
    expect(counts.pending).toBe(4);
    expect(counts.dead).toBe(1);
    expect(Object.fromEntries(counts.pendingByEvent)).toEqual({
      'points.award': 2,
      'leaderboard.update': 3,
      'skipper.evaluate': 3,
      'notify.user': 3,
      'stats.record': 2,
    });
    // Due: pending, next attempt reached, committed before the grace limit.
    const due = async () => (await store.fetchDue(now, now - 5_000, 100)).map((w) => w.id).sort();
    expect(await due()).toEqual(['1', '5']);
    // A clear that leaves bits pending keeps the row due; the last clear takes it out.
    await env.db.query('UPDATE checkin_work SET pending = pending & ~2 WHERE checkin_id = 5');
    expect(await due()).toEqual(['1', '5']);
    await env.db.query('UPDATE checkin_work SET pending = pending & ~4 WHERE checkin_id = 5');
    expect(await due()).toEqual(['1']);
    expect((await store.counts()).pending).toBe(3);
  });
});
