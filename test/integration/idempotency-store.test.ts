import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlAdmin } from '../helpers/env.js';
import { putVenue, startGateway, type TestGateway } from '../helpers/gateway-process.js';

/**
 * Replays the in-memory reply cache no longer holds: the unique (client, key) index in
 * MySQL answers them (the batch that met the duplicate is rolled back and its other
 * check-ins written again).
 */
let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway({ config: { limits: { replyCacheEntries: 1 } } });
  expect((await putVenue(gw, 'V1', { name: 'Kiosk', city: 'Nairobi' })).status).toBe(201);
});

afterAll(async () => {
  await gw?.stop();
});

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
  });
});
