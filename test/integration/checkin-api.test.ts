import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlAdmin } from '../helpers/env.js';
import { rawRequest } from '../helpers/raw-http.js';
import { putVenue, startGateway, type TestGateway } from '../helpers/gateway-process.js';

let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway();
  expect((await putVenue(gw, 'V100', { name: 'Java House Kimathi', city: 'Nairobi' })).status).toBe(201);
  expect((await putVenue(gw, 'V200', { name: 'Closed Cafe', city: 'Mombasa', open: false })).status).toBe(201);
  expect((await putVenue(gw, '4321', { name: 'Mama Oliech', city: 'Nairobi' })).status).toBe(201);
});

afterAll(async () => {
  await gw?.stop();
});

async function countCheckIns(where = '1=1', values: unknown[] = []): Promise<number> {
  const c = await mysqlAdmin(gw.database);
  try {
    const [rows] = await c.query(`SELECT COUNT(*) AS n FROM checkins WHERE ${where}`, values);
    return Number((rows as Array<{ n: number }>)[0]!.n);
  } finally {
    await c.end();
  }
}

describe('POST /v1/checkins', () => {
  it('commits a check-in and replies 201 with the check-in and points', async () => {
    const res = await gw.request('POST', '/v1/checkins', { msisdn: '0712 345 678', venueId: 'V100', channel: 'app' });
    expect(res.status).toBe(201);
    const c = res.json.checkin;
    expect(c).toMatchObject({ msisdn: '+254712345678', venueId: 'V100', site: 'test', channel: 'app', rewarded: true });
    expect(c.id).toMatch(/^[0-9]{15,19}$/);
    expect(Date.parse(c.at)).toBeGreaterThan(Date.now() - 60_000);
    expect(res.json.points).toEqual({ kind: 'pending', awarded: null, confirmedBySms: false, total: 0, rank: null, stale: false });
    expect(res.json.message).toBe('Checked in at Java House Kimathi: rewarded. Your points are added shortly.');
    // Durable before the reply: the row and the work it owes are in MySQL.
    const db = await mysqlAdmin(gw.database);
    try {
      const [rows] = await db.query('SELECT r.checkin_id IS NOT NULL AS rewarded, w.owed, w.pending FROM checkins c JOIN checkin_work w ON w.checkin_id = c.id LEFT JOIN reward_days r ON r.checkin_id = c.id WHERE c.id = ?', [c.id]);
      expect(rows).toEqual([{ rewarded: 1, owed: 31, pending: 31 }]);
    } finally {
      await db.end();
    }
  });

  it('records a second check-in the same day at the same venue without reward, and says so', async () => {
    const body = { msisdn: '+254700000001', venueId: 'V100' };
    const first = await gw.request('POST', '/v1/checkins', body);
    const second = await gw.request('POST', '/v1/checkins', body);
    expect(first.json.checkin.rewarded).toBe(true);
    expect(second.status).toBe(201);
    expect(second.json.checkin.rewarded).toBe(false);
    expect(second.json.points).toMatchObject({ kind: 'none', awarded: 0, confirmedBySms: false });
    expect(second.json.message).toMatch(/already rewarded/i);
    expect(second.json.checkin.id).not.toBe(first.json.checkin.id);
    // A different venue the same day is rewarded again.
    const other = await gw.request('POST', '/v1/checkins', { ...body, venueId: '4321' });
    expect(other.json.checkin.rewarded).toBe(true);
  });

  it('rewards exactly one of many concurrent first check-ins of a user at a venue', async () => {
    const body = { msisdn: '+254700000002', venueId: 'V100' };
    const replies = await Promise.all(Array.from({ length: 20 }, () => gw.request('POST', '/v1/checkins', body)));
    expect(replies.every((r) => r.status === 201)).toBe(true);
    expect(replies.filter((r) => r.json.checkin.rewarded).length).toBe(1);
    expect(new Set(replies.map((r) => r.json.checkin.id)).size).toBe(20);
  });

  it.each([
    [{ venueId: 'V100' }, 'msisdn'],
    [{ msisdn: 'abc', venueId: 'V100' }, 'msisdn'],
    [{ msisdn: '+1234', venueId: 'V100' }, 'msisdn'],
    [{ msisdn: '+254712345678' }, 'venueId'],
    [{ msisdn: '+254712345678', venueId: 'no spaces allowed' }, 'venueId'],
    [{ msisdn: '+254712345678', venueId: 'V100', channel: 'pigeon' }, 'channel'],
  ])('rejects %j with 422 VALIDATION_FAILED naming %s', async (body, field) => {
    const res = await gw.request('POST', '/v1/checkins', body);
    expect(res.status).toBe(422);
    expect(res.json.error).toMatchObject({ code: 'VALIDATION_FAILED', field });
    expect(typeof res.json.error.message).toBe('string');
  });

  it.each([
    ['a newline', 'Java House\n1 Claim prize'],
    ['a control character', 'Java\u0007House'],
    ['a bidi override', 'Java \u202Eesuoh'],
  ])('refuses a venue name with %s (it reaches USSD screens and SMS): 422 naming name', async (_what, name) => {
    const res = await putVenue(gw, 'V901', { name, city: 'Nairobi' });
    expect(res.status).toBe(422);
    expect(res.json.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'name' });
  });

  it('keeps names in any script, joiners included', async () => {
    expect((await putVenue(gw, 'V902', { name: 'हल्दीराम\u200D कैफ़े · Café "Zanzibar"', city: 'Nairobi' })).status).toBe(201);
  });

  it('rejects unknown and closed venues with 422', async () => {
    const unknown = await gw.request('POST', '/v1/checkins', { msisdn: '+254712345678', venueId: 'NOPE' });
    expect(unknown.status).toBe(422);
    expect(unknown.json.error.code).toBe('VENUE_NOT_FOUND');
    const closed = await gw.request('POST', '/v1/checkins', { msisdn: '+254712345678', venueId: 'V200' });
    expect(closed.status).toBe(422);
    expect(closed.json.error.code).toBe('VENUE_CLOSED');
  });

  it('answers malformed JSON 400, a wrong content type 415, a body over the limit 413', async () => {
    const bad = await gw.request('POST', '/v1/checkins', '{"msisdn":', {});
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('BAD_JSON');
    const arr = await gw.request('POST', '/v1/checkins', '[1,2]', {});
    expect(arr.status).toBe(400);
    const text = await gw.request('POST', '/v1/checkins', 'msisdn=1', { 'content-type': 'text/plain' });
    expect(text.status).toBe(415);
    expect(text.json.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    const big = await gw.request('POST', '/v1/checkins', JSON.stringify({ msisdn: 'x'.repeat(17_000) }));
    expect(big.status).toBe(413);
    expect(big.json.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('rejects a body over the limit sent in chunks without a Content-Length, and closes', async () => {
    const reply = await rawRequest(gw.port, (sock) => {
      sock.write(
        'POST /v1/checkins HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n' +
          `Content-Type: application/json\r\nX-Api-Key: ${gw.clientKey}\r\n\r\n`,
      );
      // Stream 4 KiB chunks like a real client until the server answers.
      const chunk = 'x'.repeat(4096);
      let answered = false;
      sock.once('data', () => (answered = true));
      let sent = 0;
      const next = () => {
        if (answered || sent++ >= 16 || sock.destroyed) return;
        sock.write(`1000\r\n${chunk}\r\n`);
        setTimeout(next, 20);
      };
      next();
    });
    expect(reply).toMatch(/^HTTP\/1\.1 413 /);
    expect(reply).toContain('PAYLOAD_TOO_LARGE');
  });

  it('requires a valid API key (401) and an admin key for admin routes (403)', async () => {
    const none = await gw.request('POST', '/v1/checkins', { msisdn: '+254712345678', venueId: 'V100' }, { 'x-api-key': '' });
    expect(none.status).toBe(401);
    expect(none.json.error.code).toBe('UNAUTHENTICATED');
    const wrong = await gw.request('GET', '/v1/venues/V100', undefined, { 'x-api-key': 'hg_not_a_key' });
    expect(wrong.status).toBe(401);
    const forbidden = await gw.request('PUT', '/v1/venues/V300', { name: 'X', city: 'Nairobi' });
    expect(forbidden.status).toBe(403);
    expect(forbidden.json.error.code).toBe('FORBIDDEN');
  });

  it('answers 404 for unknown routes and 405 with Allow for wrong methods', async () => {
    const nf = await gw.request('GET', '/v1/nothing-here');
    expect(nf.status).toBe(404);
    expect(nf.json.error.code).toBe('NOT_FOUND');
    const na = await gw.request('GET', '/v1/checkins');
    expect(na.status).toBe(405);
    expect(na.headers.get('allow')).toBe('POST');
    expect(na.json.error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('answers 400 BAD_REQUEST for a malformed percent-escape in a path parameter, and keeps running', async () => {
    // decodeURIComponent throws on these; it must not escape into uWS and kill the process.
    for (const [method, path] of [
      ['GET', '/v1/users/%E0%A4'],
      ['GET', '/v1/venues/%'],
      ['PUT', '/v1/venues/%ZZ'],
      ['DELETE', '/v1/users/%E0'],
    ] as const) {
      const res = await gw.request(method, path, method === 'PUT' ? { name: 'X', city: 'Y' } : undefined);
      expect(res.status, `${method} ${path}`).toBe(400);
      expect(res.json.error.code).toBe('BAD_REQUEST');
    }
    expect(gw.proc.exitCode).toBeNull();
    expect((await gw.request('GET', '/healthz')).status).toBe(200);
  });
});

describe('Idempotency-Key', () => {
  it('replays the first reply with 200 and the same body, and writes one check-in', async () => {
    const body = { msisdn: '+254711000001', venueId: 'V100' };
    const headers = { 'idempotency-key': 'replay-1' };
    const first = await gw.request('POST', '/v1/checkins', body, headers);
    const again = await gw.request('POST', '/v1/checkins', body, headers);
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.text).toBe(first.text);
    expect(await countCheckIns('msisdn = ?', ['+254711000001'])).toBe(1);
  });

  it('answers concurrent duplicates with one check-in and the same body', async () => {
    const body = { msisdn: '+254711000002', venueId: 'V100' };
    const headers = { 'idempotency-key': 'concurrent-1' };
    const replies = await Promise.all(Array.from({ length: 25 }, () => gw.request('POST', '/v1/checkins', body, headers)));
    expect(replies.filter((r) => r.status === 201).length).toBe(1);
    expect(replies.filter((r) => r.status === 200).length).toBe(24);
    expect(new Set(replies.map((r) => r.text)).size).toBe(1);
    expect(await countCheckIns('msisdn = ?', ['+254711000002'])).toBe(1);
  });

  it('answers the same key with a different body 422 IDEMPOTENCY_KEY_REUSED', async () => {
    const headers = { 'idempotency-key': 'reuse-1' };
    const first = await gw.request('POST', '/v1/checkins', { msisdn: '+254711000003', venueId: 'V100' }, headers);
    expect(first.status).toBe(201);
    const other = await gw.request('POST', '/v1/checkins', { msisdn: '+254711000003', venueId: '4321' }, headers);
    expect(other.status).toBe(422);
    expect(other.json.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await countCheckIns('msisdn = ?', ['+254711000003'])).toBe(1);
  });

  it('scopes keys to the API client', async () => {
    const c = await mysqlAdmin(gw.database);
    try {
      const [rows] = await c.query('SELECT client_id FROM checkins WHERE request_key = ?', ['replay-1']);
      expect(rows).toEqual([{ client_id: 'test-client' }]);
    } finally {
      await c.end();
    }
  });

  it('rejects a malformed key', async () => {
    const res = await gw.request('POST', '/v1/checkins', { msisdn: '+254711000004', venueId: 'V100' }, { 'idempotency-key': 'x'.repeat(200) });
    expect(res.status).toBe(422);
    expect(res.json.error.field).toBe('Idempotency-Key');
  });
});

describe('reads', () => {
  it('GET /v1/users/{msisdn} gives points, rank and home site; 404 for unknown users', async () => {
    await gw.request('POST', '/v1/checkins', { msisdn: '+254722000001', venueId: 'V100' });
    const res = await gw.request('GET', '/v1/users/0722000001');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ msisdn: '+254722000001', homeSite: 'test', city: 'Nairobi', points: 0, rank: null, stale: false });
    const missing = await gw.request('GET', '/v1/users/+254799999999');
    expect(missing.status).toBe(404);
    expect(missing.json.error.code).toBe('USER_NOT_FOUND');
    const bad = await gw.request('GET', '/v1/users/hello');
    expect(bad.status).toBe(422);
  });

  it('GET /v1/venues/{id} gives name, city and skipper; PUT updates it', async () => {
    const res = await gw.request('GET', '/v1/venues/V100');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ id: 'V100', name: 'Java House Kimathi', city: 'Nairobi', open: true, skipper: null });
    const upd = await putVenue(gw, 'V100', { name: 'Java House Kimathi St', city: 'Nairobi', code: '777' });
    expect(upd.status).toBe(200);
    expect(upd.json).toMatchObject({ name: 'Java House Kimathi St', code: '777', version: 2 });
    expect((await gw.request('GET', '/v1/venues/V100')).json.name).toBe('Java House Kimathi St');
    const clash = await putVenue(gw, 'V999', { name: 'Other', city: 'Nairobi', code: '777' });
    expect(clash.status).toBe(422);
    expect(clash.json.error.field).toBe('code');
    const invalid = await putVenue(gw, 'V998', { name: '', city: 'Nairobi' });
    expect(invalid.status).toBe(422);
    expect((await gw.request('GET', '/v1/venues/NOPE')).status).toBe(404);
  });

  it('GET /v1/leaderboards/{board} validates board and limit', async () => {
    for (const board of ['global', 'week', 'city:Nairobi']) {
      const res = await gw.request('GET', `/v1/leaderboards/${board}?limit=5`);
      expect(res.status).toBe(200);
      expect(Array.isArray(res.json.entries)).toBe(true);
    }
    expect((await gw.request('GET', '/v1/leaderboards/monthly')).status).toBe(404);
    const badLimit = await gw.request('GET', '/v1/leaderboards/global?limit=1000');
    expect(badLimit.status).toBe(422);
    expect(badLimit.json.error.field).toBe('limit');
  });
});

describe('operations', () => {
  it('serves /healthz, /readyz and Prometheus /metrics with sub-millisecond buckets', async () => {
    expect((await gw.request('GET', '/healthz')).json).toEqual({ status: 'ok' });
    expect((await gw.request('GET', '/readyz')).json).toEqual({ ready: true, mysql: true, redis: true, draining: false });
    const m = await gw.request('GET', '/metrics');
    expect(m.status).toBe(200);
    expect(m.text).toMatch(/hopgate_http_request_duration_seconds_bucket\{le="0\.00025",site="test",route="\/v1\/checkins",status="201"\}/);
    expect(m.text).toMatch(/hopgate_http_requests_total\{route="\/v1\/checkins",status="422",site="test"\} [1-9]/);
    expect(m.text).toMatch(/hopgate_writer_batch_rows_count\{site="test"\} [1-9]/);
    expect(m.text).toContain('hopgate_writer_queued_checkins');
  });
});
