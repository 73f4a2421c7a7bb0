import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodePoints } from '../../src/core/leaderboard.js';
import type { NotifierPort } from '../../src/core/ports/notifier.port.js';
import { NotificationOutbox } from '../../src/workers/notification-outbox.js';
import { runBatch } from '../../src/workers/run-batch.js';
import { createWorkerContext, type WorkerContext } from '../../src/workers/worker-context.js';
import { createEventsEnv, type EventsEnv } from '../helpers/events-env.js';
import { checkInvariants } from '../helpers/events-invariants.js';

/** Local time in Nairobi (UTC+3) on a day of November 2026 → epoch ms. */
function nbo(day: number, hour: number, minute = 0): number {
  return Date.UTC(2026, 10, day, hour - 3, minute);
}

let env: EventsEnv;
let ctx: WorkerContext;

beforeAll(async () => {
  env = await createEventsEnv();
  ctx = await createWorkerContext(env.config);
  for (const [id, city] of [
    ['V1', 'Nairobi'],
    ['V2', 'Nairobi'],
    ['V3', 'Mombasa'],
    ['V4', 'Mombasa'],
    ['V5', 'Kisumu'],
    ['S1', 'Nairobi'],
    ['S2', 'Nairobi'],
    ['S3', 'Nairobi'],
    ['T1', 'Nakuru'],
  ] as const) {
    await env.addVenue(id, city);
  }
});

afterAll(async () => {
  await ctx?.close();
  await env?.cleanup();
});

async function process(ids: string[]): Promise<void> {
  const report = await runBatch(ctx, { ids, dispatchedMs: Date.now() });
  expect(report.failures).toEqual([]);
}

async function ledgerOf(id: string): Promise<Array<{ rule: string; points: number }>> {
  const [rows] = await env.db.query('SELECT rule, points FROM points_ledger WHERE checkin_id = ? ORDER BY FIELD(rule, "base", "first_visit", "streak", "skipper")', [id]);
  return (rows as Array<{ rule: string; points: number }>).map((r) => ({ rule: r.rule, points: Number(r.points) }));
}

async function total(msisdn: string): Promise<number> {
  const [rows] = await env.db.query('SELECT total FROM user_totals WHERE msisdn = ?', [msisdn]);
  return Number((rows as Array<{ total: string }>)[0]?.total ?? 0);
}

describe('points.award with the ledger facts', () => {
  it('applies first visit, streak across local midnight, skipper bonus and the daily cap', async () => {
    const a = '+254700000001';
    const one = async (venue: string, at: number) => {
      const c = await env.checkIn(a, venue, at);
      await process([c.id]);
      return c.id;
    };
    // Mon 23 Nov, 21:00 local.
    expect(await ledgerOf(await one('V1', nbo(23, 21)))).toEqual([
      { rule: 'base', points: 10 },
      { rule: 'first_visit', points: 20 },
    ]);
    // 00:10 local on Tue 24 is still Mon 23 in UTC: a new local day, so a one-day streak,
    // and a became V1's skipper with the first check-in.
    const t = nbo(24, 0, 10);
    expect(new Date(t).getUTCDate()).toBe(23);
    expect(await ledgerOf(await one('V1', t))).toEqual([
      { rule: 'base', points: 10 },
      { rule: 'streak', points: 5 },
      { rule: 'skipper', points: 5 },
    ]);
    expect(await ledgerOf(await one('V2', nbo(24, 1)))).toEqual([
      { rule: 'base', points: 10 },
      { rule: 'first_visit', points: 20 },
      { rule: 'streak', points: 5 },
    ]);
    // Same venue, same local day: not rewarded.
    const repeat = await env.checkIn(a, 'V1', nbo(24, 2));
    expect(repeat.rewarded).toBe(false);
    await process([repeat.id]);
    expect(await ledgerOf(repeat.id)).toEqual([]);
    // Earned today so far: 20 + 35 = 55; cap 100.
    expect(await ledgerOf(await one('V3', nbo(24, 3)))).toHaveLength(3); // 35 → 90
    expect(await ledgerOf(await one('V4', nbo(24, 4)))).toEqual([{ rule: 'base', points: 10 }]); // trimmed 45 → 10
    expect(await ledgerOf(await one('V5', nbo(24, 5)))).toEqual([]); // capped
    expect(await total(a)).toBe(30 + 20 + 35 + 35 + 10);
    expect(decodePoints(Number(await env.redis.zscore(env.key('lb:global'), a)))).toBe(130);
    expect(decodePoints(Number(await env.redis.zscore(env.key('lb:week:2026-W48'), a)))).toBe(130);
    expect(decodePoints(Number(await env.redis.zscore(env.key('lb:city:mombasa'), a)))).toBe(45);
    expect(decodePoints(Number(await env.redis.zscore(env.key('lb:city:nairobi'), a)))).toBe(85);
  });
});

describe('leaderboard.update', () => {
  it('ranks equal scores by who reached them first, whatever the processing order', async () => {
    const early = await env.checkIn('+254700000011', 'T1', nbo(20, 9));
    const late = await env.checkIn('+254700000012', 'T1', nbo(20, 10));
    await process([late.id]);
    await process([early.id]);
    const top = await env.redis.zrevrange(env.key('lb:city:nakuru'), 0, -1);
    expect(top).toEqual(['+254700000011', '+254700000012']);
  });

  it('publishes one batch across cities and weeks to the right boards, week boards with their TTL', async () => {
    // 20 Nov 2026 is in ISO week 47, 23 Nov in week 48 (not consecutive days: no streak).
    const c = [
      await env.checkIn('+254700000013', 'T1', nbo(20, 9)),
      await env.checkIn('+254700000013', 'V3', nbo(23, 9)),
      await env.checkIn('+254700000014', 'V3', nbo(23, 10)),
    ];
    await process(c.map((x) => x.id));
    const score = async (board: string, m: string) => decodePoints(Number(await env.redis.zscore(env.key(board), m)));
    expect(await score('lb:city:nakuru', '+254700000013')).toBe(30);
    expect(await score('lb:city:mombasa', '+254700000013')).toBe(30);
    expect(await score('lb:city:mombasa', '+254700000014')).toBe(30);
    expect(await score('lb:week:2026-W47', '+254700000013')).toBe(30);
    expect(await score('lb:week:2026-W48', '+254700000013')).toBe(30);
    expect(await score('lb:global', '+254700000013')).toBe(60);
    expect(await env.redis.hget(env.key('user:+254700000013'), 'city')).toBe('Mombasa');
    for (const w of ['2026-W47', '2026-W48']) expect(await env.redis.ttl(env.key(`lb:week:${w}`))).toBeGreaterThan(69 * 86_400);
    expect((await checkInvariants(env)).problems).toEqual([]);
  });
});

describe('skipper.evaluate', () => {
  it('keeps the skipper on a tie, changes on more days, and notifies each new skipper once', async () => {
    const p = '+254700000021';
    const q = '+254700000022';
    const batch = async (...cs: Array<[string, number]>) => {
      const ids: string[] = [];
      for (const [who, at] of cs) ids.push((await env.checkIn(who, 'S1', at)).id);
      await process(ids);
    };
    await batch([p, nbo(10, 9)], [q, nbo(10, 10)]);
    await batch([q, nbo(11, 9)], [p, nbo(11, 10)]);
    let s = await env.redis.hgetall(env.key('skipper:S1'));
    expect(s.msisdn).toBe(p); // 2 days each: p was first and keeps it
    await batch([q, nbo(12, 9)]);
    s = await env.redis.hgetall(env.key('skipper:S1'));
    expect(s).toMatchObject({ msisdn: q, days: '3' });
    const [rows] = await env.db.query(
      "SELECT n.msisdn, n.status FROM notification_status n JOIN checkins c ON c.id = n.checkin_id WHERE n.kind = 'skipper' AND c.venue_id = 'S1' ORDER BY n.checkin_id",
    );
    expect(rows).toEqual([
      { msisdn: p, status: 'sent' },
      { msisdn: q, status: 'sent' },
    ]);
  });

  it('sends a new skipper message once even when the read model refuses the skipper hash', async () => {
    const u = '+254700000035';
    // A key of the wrong type makes the skipper hash write fail (WRONGTYPE).
    await env.redis.set(env.key('skipper:S3'), 'not a hash');
    const c = await env.checkIn(u, 'S3', nbo(18, 9));
    const first = await runBatch(ctx, { ids: [c.id], dispatchedMs: Date.now() });
    expect(first.failures).toEqual([expect.objectContaining({ event: 'skipper.evaluate', code: 'EVENT_REDIS_ERROR', count: 1 })]);
    const sentLines = () => readFileSync(env.notifyFile, 'utf8').split('\n').filter((l) => l.includes(`"${c.id}:skipper"`)).length;
    expect(sentLines()).toBe(1);
    const status = async () => ((await env.db.query("SELECT status FROM notification_status WHERE checkin_id = ? AND kind = 'skipper'", [c.id]))[0] as Array<{ status: string }>)[0]?.status;
    expect(await status()).toBe('sent');
    await env.redis.del(env.key('skipper:S3'));
    await env.db.query('UPDATE checkin_work SET next_attempt_ms = 0 WHERE checkin_id = ?', [c.id]);
    await process([c.id]);
    expect(sentLines()).toBe(1);
    expect(await status()).toBe('sent');
    expect(await env.redis.hgetall(env.key('skipper:S3'))).toMatchObject({ msisdn: u, days: '1' });
  });

  it('drops a skipper whose days left the window, with a full count of the venue', async () => {
    const old = '+254700000031';
    const other = '+254700000032';
    const fresh = '+254700000033';
    for (const d of [20, 21, 22]) await process([(await env.checkIn(old, 'S2', Date.UTC(2026, 9, d, 9))).id]);
    expect((await env.redis.hgetall(env.key('skipper:S2'))).msisdn).toBe(old);
    // `other` checked in twice inside the coming window without becoming skipper.
    await process([(await env.checkIn(other, 'S2', nbo(1, 9))).id, (await env.checkIn(other, 'S2', nbo(2, 9))).id]);
    expect((await env.redis.hgetall(env.key('skipper:S2'))).msisdn).toBe(old);
    // 29 Nov: the window starts 31 Oct, October's days are out; `other` (2 days) beats `fresh` (1 day).
    await process([(await env.checkIn(fresh, 'S2', nbo(29, 9))).id]);
    expect(await env.redis.hgetall(env.key('skipper:S2'))).toMatchObject({ msisdn: other, days: '2' });
  });
});

describe('notify.user and stats.record', () => {
  it('sends one confirmation per check-in with its points and counts check-ins per minute, venue and channel', async () => {
    const u = '+254700000041';
    const c1 = await env.checkIn(u, 'V5', nbo(26, 12, 0), 'ussd');
    const c2 = await env.checkIn('+254700000042', 'V5', nbo(26, 12, 0) + 30_000, 'ussd');
    const c3 = await env.checkIn(u, 'V5', nbo(26, 12, 0) + 40_000, 'sms');
    await process([c1.id, c2.id, c3.id]);
    const lines = readFileSync(env.notifyFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { key: string; text: string });
    expect(lines.find((l) => l.key === `${c1.id}:checkin`)?.text).toBe('Checked in at Venue V5: +30 points. Total: 30.');
    expect(lines.find((l) => l.key === `${c3.id}:checkin`)?.text).toMatch(/already rewarded/);
    const [rows] = await env.db.query('SELECT channel, checkins, rewarded FROM stats_minute WHERE venue_id = ? AND minute_ms = ? ORDER BY channel', [
      'V5',
      nbo(26, 12, 0),
    ]);
    expect(rows).toEqual([
      { channel: 'sms', checkins: 1, rewarded: 0 },
      { channel: 'ussd', checkins: 2, rewarded: 2 },
    ]);
  });
});

describe('notify.user: the claim on the work row and the outbox', () => {
  const refusing: NotifierPort = {
    send: async (messages) => messages.map(() => ({ ok: false as const, code: 'NOTIFY_HTTP_STATUS', message: 'SMS gateway answered 503', ambiguous: false })),
    close: async () => {},
  };
  const sent = (id: string) =>
    readFileSync(env.notifyFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { key: string; text: string })
      .filter((l) => l.key === `${id}:checkin`);
  const status = async (id: string) =>
    ((await env.db.query("SELECT status, text FROM notification_status WHERE checkin_id = ? AND kind = 'checkin'", [id]))[0] as Array<{ status: string; text: string | null }>);

  it('claims a confirmation on the work row and writes no outbox row when it is sent', async () => {
    const c = await env.checkIn('+254700000044', 'V5', nbo(26, 13));
    await process([c.id]);
    expect(sent(c.id)).toHaveLength(1);
    expect(await status(c.id)).toEqual([{ status: 'sent', text: null }]);
    const [rows] = await env.db.query('SELECT COUNT(*) n FROM notifications WHERE checkin_id = ?', [c.id]);
    expect(rows).toEqual([{ n: '0' }]);
  });

  it('keeps a confirmation the notifier refused in the outbox and sends it once, with its first text, on the retry', async () => {
    const u = '+254700000043';
    const c = await env.checkIn(u, 'V5', nbo(26, 14));
    const down = { ...ctx, outbox: new NotificationOutbox(ctx.mysql, refusing, env.config.notify.claimTimeoutMs) };
    const first = await runBatch(down, { ids: [c.id], dispatchedMs: Date.now() });
    expect(first.failures).toEqual([expect.objectContaining({ event: 'notify.user', code: 'NOTIFY_HTTP_STATUS', count: 1 })]);
    expect(await status(c.id)).toEqual([{ status: 'pending', text: 'Checked in at Venue V5: +30 points. Total: 30.' }]);
    // A later check-in raises the total before the retry: the retry still sends the first text.
    await process([(await env.checkIn(u, 'V1', nbo(26, 15))).id]);
    await process([c.id]);
    expect(sent(c.id).map((l) => l.text)).toEqual(['Checked in at Venue V5: +30 points. Total: 30.']);
    expect((await status(c.id)).map((r) => r.status)).toEqual(['sent']);
    // Delivered again (a replayed task): nothing is pending, nothing is sent.
    await process([c.id]);
    expect(sent(c.id)).toHaveLength(1);
  });

  it('sends a confirmation an earlier version left in the outbox through its claim, never a second one', async () => {
    const [a, b] = [await env.checkIn('+254700000045', 'V5', nbo(26, 16)), await env.checkIn('+254700000046', 'V5', nbo(26, 16))];
    // As versions before migration 006 left them: a (still pending, unclaimed) and b (claimed
    // by a worker that died before clearing the bit, long ago).
    const old = Date.now() - env.config.notify.claimTimeoutMs - 1000;
    await env.db.query(
      `INSERT INTO notifications (checkin_id, kind, msisdn, text, state, claim_token, claimed_ms, attempts, created_ms) VALUES
         (?, 'checkin', '+254700000045', 'stored text', 0, NULL, NULL, 1, ?), (?, 'checkin', '+254700000046', 'stored text', 1, 'dead', ?, 1, ?)`,
      [a.id, old, b.id, old, old],
    );
    await process([a.id, b.id]);
    expect(sent(a.id).map((l) => l.text)).toEqual(['stored text']);
    expect(sent(b.id)).toEqual([]);
    expect((await status(a.id)).map((r) => r.status)).toEqual(['sent']);
    expect((await status(b.id)).map((r) => r.status)).toEqual(['uncertain']);
  });
});

describe('exactly once in effect', () => {
  it('a batch delivered twice, concurrently and again later, changes nothing the second time', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) ids.push((await env.checkIn(`+2547001000${String(i % 13).padStart(2, '0')}`, `V${(i % 5) + 1}`, nbo(27, 8) + i * 60_000)).id);
    await Promise.all([runBatch(ctx, { ids, dispatchedMs: Date.now() }), runBatch(ctx, { ids, dispatchedMs: Date.now() })]);
    const snapshot = async () => {
      const [l] = await env.db.query('SELECT COUNT(*) n, SUM(points) s FROM points_ledger');
      const [s] = await env.db.query('SELECT SUM(checkins) c FROM stats_minute');
      const [n] = await env.db.query('SELECT COUNT(*) n FROM notification_status');
      return { l, s, n, board: await env.redis.zrange(env.key('lb:global'), 0, -1, 'WITHSCORES'), file: readFileSync(env.notifyFile, 'utf8') };
    };
    const before = await snapshot();
    await runBatch(ctx, { ids, dispatchedMs: Date.now() });
    // As if a worker died after the Redis writes and the sends but before clearing the bits
    // (the clear is the record of a send): its claims look in flight, nothing is resent...
    await env.db.query('UPDATE checkin_work SET pending = owed & (2 | 4 | 8) WHERE checkin_id IN (?)', [ids]);
    const inFlight = await runBatch(ctx, { ids, dispatchedMs: Date.now() });
    expect(inFlight.failures).toEqual([expect.objectContaining({ event: 'notify.user', code: 'NOTIFY_IN_FLIGHT', count: 40 })]);
    expect(await snapshot()).toEqual(before);
    // ...and once the claims expired they are `uncertain`, still not resent, and the events complete.
    await env.db.query('UPDATE checkin_work SET notify_claim = notify_claim - ? WHERE checkin_id IN (?)', [env.config.notify.claimTimeoutMs + 1000, ids]);
    await env.db.query('UPDATE checkin_work SET next_attempt_ms = 0 WHERE checkin_id IN (?)', [ids]);
    await runBatch(ctx, { ids, dispatchedMs: Date.now() });
    expect(await snapshot()).toEqual(before);
    const [statuses] = await env.db.query("SELECT status, COUNT(*) n FROM notification_status WHERE kind = 'checkin' AND checkin_id IN (?) GROUP BY status", [ids]);
    expect(statuses).toEqual([{ status: 'uncertain', n: '40' }]);
    // A points bit revived by hand: the ledger already has the entries, nothing is awarded twice.
    await env.db.query('UPDATE checkin_work SET pending = owed & 1 WHERE checkin_id IN (?)', [ids]);
    expect((await runBatch(ctx, { ids, dispatchedMs: Date.now() })).failures).toEqual([]);
    expect(await snapshot()).toEqual(before);
    const report = await checkInvariants(env);
    expect(report.problems).toEqual([]);
    expect(report.ledgerRows).toBeGreaterThan(40);
  });
});
