import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sign } from '../../../src/sync/signing.js';
import { mysqlAdmin } from '../../helpers/env.js';
import { putVenue, startGateway, type TestGateway } from '../../helpers/gateway-process.js';
import { pairSecret } from '../../helpers/sync-sites.js';

/**
 * The receiving endpoint's contract: unsigned, tampered, stale, unknown-peer and malformed
 * batches are refused with their documented codes and apply nothing; a good batch applies
 * once, however often it is sent; a record that breaks its contract is refused with a reason
 * while the batch's good records apply.
 */
describe('POST /internal/sync/v1/batches', () => {
  let gw: TestGateway;
  const secret = pairSecret('hq', 'far');
  let seq = 1;

  beforeAll(async () => {
    // A site whose one peer ("far") is unreachable: its sender backs off; this test plays "far".
    gw = await startGateway({
      config: { siteId: 'hq', siteNumber: 21, peers: [{ siteId: 'far', url: 'http://127.0.0.1:9', secret }], sync: { timestampWindowSec: 60 } },
    });
    expect((await putVenue(gw, 'v9', { name: 'Kibanda', city: 'Nairobi' })).status).toBe(201);
  });
  afterAll(async () => {
    await gw.stop();
  });

  const checkIn = (id: bigint, extra: Record<string, unknown> = {}) => ({
    type: 'checkin',
    id: id.toString(),
    msisdn: '+254712345678',
    venueId: 'v9',
    channel: 'ussd',
    site: 'far',
    at: Date.now(),
    day: '2026-12-07',
    ...extra,
  });
  // Ids as site number 99 would make them: never clash with the gateway's own (21).
  let next = 99n << 12n;
  const newId = () => (next += 1n) + (BigInt(Date.now() - Date.UTC(2024, 0, 1)) << 22n);

  function post(body: string, headers: Record<string, string>) {
    return fetch(`${gw.url}/internal/sync/v1/batches`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body }).then(async (r) => ({
      status: r.status,
      json: (await r.json()) as any,
    }));
  }
  function signed(body: string, opts: { origin?: string; ts?: number; key?: string } = {}) {
    const ts = opts.ts ?? Date.now();
    return post(body, { 'x-hopgate-origin': opts.origin ?? 'far', 'x-hopgate-timestamp': String(ts), 'x-hopgate-signature': sign(opts.key ?? secret, ts, body) });
  }
  const batch = (records: unknown[], extra: Record<string, unknown> = {}) => JSON.stringify({ origin: 'far', to: 'hq', entries: [{ seq: seq++, records }], ...extra });
  async function count(): Promise<number> {
    const c = await mysqlAdmin(gw.database);
    try {
      const [rows] = await c.query("SELECT COUNT(*) AS n FROM checkins WHERE site = 'far'");
      return Number((rows as Array<{ n: number }>)[0]!.n);
    } finally {
      await c.end();
    }
  }

  test('refused whole, nothing applied: unsigned, tampered, stale, unknown peer, malformed, misaddressed', async () => {
    const body = batch([checkIn(newId())]);
    expect(await post(body, { 'x-hopgate-origin': 'far' })).toMatchObject({ status: 401, json: { error: { code: 'SYNC_UNSIGNED' } } });
    expect(await post(body, {})).toMatchObject({ status: 401, json: { error: { code: 'SYNC_UNSIGNED' } } });
    const ts = Date.now();
    const tampered = body.replace('+254712345678', '+254712345679');
    expect(
      await post(tampered, { 'x-hopgate-origin': 'far', 'x-hopgate-timestamp': String(ts), 'x-hopgate-signature': sign(secret, ts, body) }),
    ).toMatchObject({ status: 401, json: { error: { code: 'SYNC_BAD_SIGNATURE' } } });
    expect(await signed(body, { key: 'another-secret-of-at-least-32-characters!!' })).toMatchObject({ status: 401, json: { error: { code: 'SYNC_BAD_SIGNATURE' } } });
    // A captured batch replayed after the window (60 s here): refused even though its signature holds.
    expect(await signed(body, { ts: Date.now() - 61_000 })).toMatchObject({ status: 401, json: { error: { code: 'SYNC_STALE' } } });
    expect(await signed(body, { origin: 'mallory' })).toMatchObject({ status: 403, json: { error: { code: 'SYNC_UNKNOWN_PEER' } } });
    expect(await signed('{"origin":"far"')).toMatchObject({ status: 400, json: { error: { code: 'SYNC_MALFORMED_BATCH' } } });
    expect(await signed(JSON.stringify({ origin: 'far', to: 'hq', entries: [{ seq: 'x', records: [] }] }))).toMatchObject({ status: 400 });
    expect(await signed(batch([checkIn(newId())], { to: 'elsewhere' }))).toMatchObject({ status: 400, json: { error: { code: 'SYNC_MALFORMED_BATCH' } } });
    expect(await count()).toBe(0);
  });

  test('a good batch applies once, however often it is sent', async () => {
    const id = newId();
    const body = batch([checkIn(id)]);
    expect(await signed(body)).toEqual({ status: 200, json: { applied: 1, duplicates: 0, rejected: [] } });
    expect(await signed(body)).toEqual({ status: 200, json: { applied: 0, duplicates: 1, rejected: [] } });
    // The same check-in in another entry (a resend after the origin restarted): still one row.
    expect(await signed(batch([checkIn(id)]))).toEqual({ status: 200, json: { applied: 1, duplicates: 0, rejected: [] } });
    expect(await count()).toBe(1);
    const got = await gw.request('GET', `/v1/checkins/${id}`);
    expect(got.json).toMatchObject({ id: id.toString(), site: 'far', channel: 'ussd' });
  });

  test('a malformed record is refused with its reason; the good records of the batch apply', async () => {
    const good = newId();
    const before = await count();
    const reply = await signed(
      batch([
        checkIn(good),
        checkIn(newId(), { msisdn: '0712' }),
        checkIn(newId(), { site: 'hq' }),
        { type: 'teleport', id: 'x' },
        checkIn(newId(), { id: '-5' }),
      ]),
    );
    expect(reply.status).toBe(200);
    expect(reply.json.applied).toBe(1);
    expect(reply.json.rejected.map((r: { reason: string }) => r.reason)).toEqual([
      'msisdn must be E.164',
      'site must be the origin far: sites do not relay check-ins',
      'unknown record type',
      'id must be a decimal 63-bit check-in id',
    ]);
    expect(await count()).toBe(before + 1);
    expect((await gw.request('GET', `/v1/checkins/${good}`)).status).toBe(200);
  });

  test('venues: the higher (version, site) wins whatever the order; a code taken here is refused', async () => {
    const venue = (version: number, site: string, name: string, code: string | null = null) => ({ type: 'venue', id: 'vv', name, city: 'Accra', open: true, code, version, site });
    expect((await signed(batch([venue(3, 'far', 'Three')]))).json.applied).toBe(1);
    expect((await signed(batch([venue(2, 'zzz', 'Two, later')]))).status).toBe(200);
    expect((await gw.request('GET', '/v1/venues/vv')).json).toMatchObject({ name: 'Three', version: 3 });
    // Same version: the higher site id wins ('far' < 'zz').
    await signed(batch([venue(3, 'zz', 'Three by zz')]));
    expect((await gw.request('GET', '/v1/venues/vv')).json).toMatchObject({ name: 'Three by zz', version: 3 });
    await signed(batch([venue(3, 'aa', 'Three by aa')]));
    expect((await gw.request('GET', '/v1/venues/vv')).json.name).toBe('Three by zz');
    // v9 holds code 9999 here: a peer's venue claiming it is refused, the rest applies.
    expect((await putVenue(gw, 'v9', { name: 'Kibanda', city: 'Nairobi', code: '9999' })).status).toBe(200);
    const r = await signed(batch([venue(4, 'far', 'Four', '9999'), checkIn(newId())]));
    expect(r.json.rejected).toEqual([{ seq: seq - 1, type: 'venue', id: 'vv', reason: 'code 9999 belongs to another venue at this site' }]);
    expect((await gw.request('GET', '/v1/venues/vv')).json.name).toBe('Three by zz');
  });
});
