import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlAdmin } from '../helpers/env.js';
import { putVenue, startGateway, type TestGateway } from '../helpers/gateway-process.js';

/**
 * Replays the API's reply cache no longer holds: the writer's memory of recent keys answers
 * them; past that (or in another process), the unique (client, key) index in MySQL does
 * (the batch that met the duplicate is rolled back and its other check-ins written again).
 */
let gw: TestGateway;
let remembering: TestGateway;

beforeAll(async () => {
  [gw, remembering] = await Promise.all([
    startGateway({ config: { limits: { replyCacheEntries: 1 }, writer: { recentKeys: 0 } } }),
    startGateway({ config: { limits: { replyCacheEntries: 1 } } }),
  ]);
  for (const g of [gw, remembering]) expect((await putVenue(g, 'V1', { name: 'Kiosk', city: 'Nairobi' })).status).toBe(201);
});

afterAll(async () => {
  await Promise.all([gw?.stop(), remembering?.stop()]);
});

async function metric(g: TestGateway, re: RegExp): Promise<number> {
  const m = re.exec((await g.request('GET', '/metrics')).text);
  return m ? Number(m[1]) : 0;
}

describe('Idempotency-Key beyond the reply cache', () => {
  it('replays from MySQL: 200, the same check-in, no second row; a different body is still 422', async () => {
    const a = { msisdn: '+254766000001', venueId: 'V1' };
    const first = await gw.request('POST', '/v1/checkins', a, { 'idempotency-key': 'old-1' });
    expect(first.status).toBe(201);
    // Evict it: the cache holds one reply.
    expect((await gw.request('POST', '/v1/checkins', { msisdn: '+254766000002', venueId: 'V1' }, { 'idempotency-key': 'old-2' })).status).toBe(201);

    // Sent together, the replay and an unkeyed check-in usually share a batch: the other
    // check-in must still be written when the batch meets the duplicate key.
    const [replay, other] = await Promise.all([
      gw.request('POST', '/v1/checkins', a, { 'idempotency-key': 'old-1' }),
      gw.request('POST', '/v1/checkins', { msisdn: '+254766000003', venueId: 'V1' }),
    ]);
    expect(replay.status).toBe(200);
    expect(replay.json.checkin).toEqual(first.json.checkin);
    expect(other.status).toBe(201);

    const changed = await gw.request('POST', '/v1/checkins', { ...a, venueId: 'V2' }, { 'idempotency-key': 'old-1' });
    expect(changed.status).toBe(422);
    expect(changed.json.error.code).toBe('IDEMPOTENCY_KEY_REUSED');

    const c = await mysqlAdmin(gw.database);
    try {
      const [rows] = await c.query('SELECT msisdn, COUNT(*) AS n FROM checkins GROUP BY msisdn ORDER BY msisdn');
      expect((rows as Array<{ msisdn: string; n: string }>).map((r) => ({ msisdn: r.msisdn, n: Number(r.n) }))).toEqual([
        { msisdn: '+254766000001', n: 1 },
        { msisdn: '+254766000002', n: 1 },
        { msisdn: '+254766000003', n: 1 },
      ]);
    } finally {
      await c.end();
    }
    expect(await metric(gw, /hopgate_writer_key_replays_total\{source="mysql"[^}]*\} (\d+)/)).toBe(1);
  });

  it('replays a key whose venue has closed since: the first result, not 422 VENUE_CLOSED', async () => {
    expect((await putVenue(gw, 'V9', { name: 'Soon Closed', city: 'Nairobi' })).status).toBe(201);
    const a = { msisdn: '+254766000021', venueId: 'V9' };
    const first = await gw.request('POST', '/v1/checkins', a, { 'idempotency-key': 'closing-1' });
    expect(first.status).toBe(201);
    // Evict it from the reply cache (one entry), then close the venue.
    expect((await gw.request('POST', '/v1/checkins', { msisdn: '+254766000022', venueId: 'V1' }, { 'idempotency-key': 'closing-2' })).status).toBe(201);
    expect((await putVenue(gw, 'V9', { name: 'Soon Closed', city: 'Nairobi', open: false })).status).toBe(200);
    expect((await gw.request('POST', '/v1/checkins', { msisdn: '+254766000023', venueId: 'V9' })).json.error.code).toBe('VENUE_CLOSED');
    // The client retries after a lost reply: it gets the check-in it already has.
    const replay = await gw.request('POST', '/v1/checkins', a, { 'idempotency-key': 'closing-1' });
    expect(replay.status).toBe(200);
    expect(replay.json.checkin).toEqual(first.json.checkin);
    const changed = await gw.request('POST', '/v1/checkins', { ...a, msisdn: '+254766000024' }, { 'idempotency-key': 'closing-1' });
    expect(changed.json.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
  });

  it('the writer remembers recent keys: a replay or a resent USSD hop costs no rolled-back batch', async () => {
    expect((await putVenue(remembering, '4712', { name: 'Kiosk Two', city: 'Nairobi' })).status).toBe(201);
    const a = { msisdn: '+254766000011', venueId: 'V1' };
    const first = await remembering.request('POST', '/v1/checkins', a, { 'idempotency-key': 'mem-1' });
    expect(first.status).toBe(201);
    expect((await remembering.request('POST', '/v1/checkins', { msisdn: '+254766000012', venueId: 'V1' }, { 'idempotency-key': 'mem-2' })).status).toBe(201);
    const replay = await remembering.request('POST', '/v1/checkins', a, { 'idempotency-key': 'mem-1' });
    expect(replay.status).toBe(200);
    expect(replay.json.checkin).toEqual(first.json.checkin);
    const changed = await remembering.request('POST', '/v1/checkins', { ...a, venueId: 'V2' }, { 'idempotency-key': 'mem-1' });
    expect(changed.json.error.code).toBe('IDEMPOTENCY_KEY_REUSED');

    // A USSD dial-through resent after its session reply: same screen, one row.
    const hop = () =>
      fetch(`${remembering.url}/ussd/africastalking`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'sessionId=mem-s1&phoneNumber=%2B254766000013&serviceCode=*384*4712%23&text=',
      }).then((r) => r.text());
    const screen = await hop();
    expect(screen).toMatch(/^END Checked in at Kiosk Two! /);
    expect(await hop()).toBe(screen);

    expect(await metric(remembering, /hopgate_writer_key_replays_total\{source="memory"[^}]*\} (\d+)/)).toBe(2);
    expect(await metric(remembering, /hopgate_writer_key_replays_total\{source="mysql"[^}]*\} (\d+)/)).toBe(0);
    expect(await metric(remembering, /hopgate_writer_failed_batches_total\{[^}]*\} (\d+)/)).toBe(0);
    const c = await mysqlAdmin(remembering.database);
    try {
      const [rows] = await c.query("SELECT COUNT(*) AS n FROM checkins WHERE msisdn IN ('+254766000011', '+254766000013')");
      expect(Number((rows as Array<{ n: string }>)[0]!.n)).toBe(2);
    } finally {
      await c.end();
    }
  });
});

describe('two gateway processes of one site on one database', () => {
  it('all check-ins at both commit, and the same key sent to both at once is one check-in', async () => {
    // A rolling restart, or two nodes of one site: same config, so the same siteNumber.
    const a = await startGateway();
    const b = await startGateway({ database: a.database, redisPrefix: a.redisPrefix, skipMigrate: true });
    try {
      for (const g of [a, b]) expect([200, 201]).toContain((await putVenue(g, 'V1', { name: 'Kiosk', city: 'Nairobi' })).status);
      const statuses = new Map<number, number>();
      const count = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
      const unkeyed = Array.from({ length: 16 }, async (_, n) => {
        const g = n % 2 === 0 ? a : b;
        for (let i = 0; i < 50; i++) count((await g.request('POST', '/v1/checkins', { msisdn: `+2547670${String(n * 100 + i).padStart(5, '0')}`, venueId: 'V1' })).status);
      });
      const pairs: Array<[string, string]> = [];
      const keyed = (async () => {
        for (let k = 0; k < 40; k++) {
          const body = { msisdn: `+2547680${String(k).padStart(5, '0')}`, venueId: 'V1' };
          const replies = await Promise.all([a, b].map((g) => g.request('POST', '/v1/checkins', body, { 'idempotency-key': `both-${k}` })));
          expect(replies.map((r) => r.status).sort(), `key both-${k}`).toEqual([200, 201]);
          pairs.push([replies[0]!.json.checkin.id, replies[1]!.json.checkin.id]);
        }
      })();
      await Promise.all([...unkeyed, keyed]);
      expect(Object.fromEntries(statuses)).toEqual({ 201: 800 });
      for (const [x, y] of pairs) expect(x).toBe(y);
      const c = await mysqlAdmin(a.database);
      try {
        const [rows] = await c.query("SELECT COUNT(*) AS n, COUNT(DISTINCT request_key) AS k FROM checkins WHERE request_key LIKE 'both-%'");
        const { n, k } = (rows as Array<{ n: string; k: string }>)[0]!;
        expect([Number(n), Number(k)]).toEqual([40, 40]);
        const [all] = await c.query('SELECT COUNT(*) AS n FROM checkins');
        expect(Number((all as Array<{ n: string }>)[0]!.n)).toBe(840);
      } finally {
        await c.end();
      }
    } finally {
      await b.stop({ keepData: true });
      await a.stop();
    }
  });
});
