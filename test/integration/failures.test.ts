import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MYSQL, mysqlAdmin } from '../helpers/env.js';
import { putVenue, startGateway, type TestGateway } from '../helpers/gateway-process.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

/** Checks in every 100 ms (at most 50 times) until one commits; returns the last status. */
async function checkInUntilCommitted(gw: TestGateway, msisdn: string): Promise<number> {
  let status = 0;
  for (let i = 0; i < 50 && status !== 201; i++) {
    status = (await gw.request('POST', '/v1/checkins', { msisdn, venueId: 'V1' })).status;
    if (status !== 201) await new Promise((r) => setTimeout(r, 100));
  }
  return status;
}

/** Failure rules (ARCHITECTURE.md): fail fast and clearly, never hang, never lose an acknowledged check-in. */
describe('when MySQL fails', () => {
  let proxy: TcpProxy;
  let gw: TestGateway;

  beforeAll(async () => {
    proxy = new TcpProxy(MYSQL.port);
    await proxy.start();
    gw = await startGateway({
      config: { mysql: { port: proxy.port, connectTimeoutMs: 300, queryTimeoutMs: 400 }, http: { requestDeadlineMs: 800 } },
    });
    expect((await putVenue(gw, 'V1', { name: 'Kiosk', city: 'Nairobi' })).status).toBe(201);
  });

  afterEach(() => {
    proxy.set('refuse'); // cut whatever the test left behind
    proxy.set('pass');
  });

  afterAll(async () => {
    proxy.set('pass');
    await gw?.stop();
    await proxy.stop();
  });

  it('answers 503 with Retry-After at once when MySQL refuses connections, and recovers', async () => {
    expect((await gw.request('POST', '/v1/checkins', { msisdn: '+254733000001', venueId: 'V1' })).status).toBe(201);
    proxy.set('refuse');
    const replies = [];
    for (let i = 0; i < 6; i++) {
      const t0 = performance.now();
      const res = await gw.request('POST', '/v1/checkins', { msisdn: '+254733000002', venueId: 'V1' });
      replies.push({ res, ms: performance.now() - t0 });
    }
    for (const { res } of replies) {
      expect(res.status).toBe(503);
      expect(res.json.error.code).toBe('STORE_UNAVAILABLE');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    const ready = await gw.request('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.json.mysql).toBe(false);

    proxy.set('pass');
    // The breaker lets a probe through once its open period ends.
    expect(await checkInUntilCommitted(gw, '+254733000003')).toBe(201);
  });

  it('answers 504 or 503 within the deadline when MySQL hangs mid-stream, never hangs itself', async () => {
    expect(await checkInUntilCommitted(gw, '+254733000099')).toBe(201);
    proxy.set('stall');
    const t0 = performance.now();
    const replies = await Promise.all(
      Array.from({ length: 5 }, (_, i) => gw.request('POST', '/v1/checkins', { msisdn: `+25473300010${i}`, venueId: 'V1' })),
    );
    const elapsed = performance.now() - t0;
    for (const r of replies) {
      expect([503, 504]).toContain(r.status);
      // CHECKIN_OUTCOME_UNKNOWN when its batch was sent before the link froze.
      expect(['DEADLINE_EXCEEDED', 'STORE_UNAVAILABLE', 'CHECKIN_OUTCOME_UNKNOWN']).toContain(r.json.error.code);
    }
    // Deadline 800 ms plus scheduling slack; the point is "bounded", not a benchmark.
    expect(elapsed).toBeLessThan(5000);
  });
});

describe('when a request outlives its deadline', () => {
  let proxy: TcpProxy;
  let gw: TestGateway;

  beforeAll(async () => {
    proxy = new TcpProxy(MYSQL.port);
    await proxy.start();
    // Query timeout far beyond the request deadline: only the deadline can answer.
    gw = await startGateway({ config: { mysql: { port: proxy.port, queryTimeoutMs: 10_000 }, http: { requestDeadlineMs: 300 } } });
    expect((await putVenue(gw, 'V1', { name: 'Kiosk', city: 'Nairobi' })).status).toBe(201);
  });

  afterAll(async () => {
    proxy.set('refuse');
    await gw?.stop();
    await proxy.stop();
  });

  it('answers 504 at the deadline while MySQL hangs: CHECKIN_OUTCOME_UNKNOWN, its batch having been sent', async () => {
    expect((await gw.request('POST', '/v1/checkins', { msisdn: '+254733000201', venueId: 'V1' })).status).toBe(201);
    proxy.set('stall');
    const t0 = performance.now();
    const res = await gw.request('POST', '/v1/checkins', { msisdn: '+254733000202', venueId: 'V1' });
    const ms = performance.now() - t0;
    expect(res.status).toBe(504);
    // Sent on the pooled connection before the link froze: it might still commit, so the
    // reply must not say it failed (checkin-deadline-truth.test.ts shows it cannot, later).
    expect(res.json.error.code).toBe('CHECKIN_OUTCOME_UNKNOWN');
    expect(ms).toBeGreaterThanOrEqual(290);
    const metrics = await gw.request('GET', '/metrics');
    expect(metrics.text).toMatch(/hopgate_http_requests_total\{route="\/v1\/checkins",status="504",site="test"\} 1/);
  });
});

describe('when Redis is down', () => {
  let gw: TestGateway;

  beforeAll(async () => {
    // Nothing listens on port 1: every Redis command fails at once.
    gw = await startGateway({
      config: { redis: { local: { port: 1, connectTimeoutMs: 200 }, readModel: { port: 1, connectTimeoutMs: 200 } } },
    });
    expect((await putVenue(gw, 'V1', { name: 'Kiosk', city: 'Nairobi' })).status).toBe(201);
  });

  afterAll(async () => {
    await gw?.stop();
  });

  it('still commits check-ins and marks read-model figures stale', async () => {
    const res = await gw.request('POST', '/v1/checkins', { msisdn: '+254744000001', venueId: 'V1' });
    expect(res.status).toBe(201);
    expect(res.json.checkin.rewarded).toBe(true);
    expect(res.json.points).toEqual({ kind: 'pending', awarded: null, confirmedBySms: false, total: null, rank: null, stale: true });
    const user = await gw.request('GET', '/v1/users/+254744000001');
    expect(user.status).toBe(200);
    expect(user.json).toMatchObject({ points: null, rank: null, stale: true });
    const board = await gw.request('GET', '/v1/leaderboards/global');
    expect(board.status).toBe(503);
    expect(board.json.error.code).toBe('READ_MODEL_UNAVAILABLE');
    const ready = await gw.request('GET', '/readyz');
    expect(ready.status).toBe(503);
    expect(ready.json).toMatchObject({ mysql: true, redis: false });
  });

  it('USSD: a dial-through still checks in once (no session needed); a menu gets the busy END', async () => {
    expect((await putVenue(gw, '4711', { name: 'Kiosk Two', city: 'Nairobi' })).status).toBe(201);
    const hop = (sessionId: string, serviceCode: string) =>
      fetch(`${gw.url}/ussd/africastalking`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ sessionId, phoneNumber: '+254744000002', serviceCode, text: '' }).toString(),
      }).then(async (r) => `${r.status} ${await r.text()}`);
    const first = await hop('rd-1', '*384*4711#');
    expect(first).toMatch(/^200 END Checked in at Kiosk Two! You earned points\.\n/);
    // The telco resends the hop, twice at once: same screen, one check-in.
    expect(await Promise.all([hop('rd-1', '*384*4711#'), hop('rd-1', '*384*4711#')])).toEqual([first, first]);
    const db = await mysqlAdmin(gw.database);
    try {
      const [rows] = await db.query("SELECT client_id, request_key FROM checkins WHERE msisdn = '+254744000002'");
      expect(rows).toEqual([{ client_id: 'ussd:africastalking', request_key: 'rd-1:0:1' }]);
    } finally {
      await db.end();
    }
    expect(await hop('rd-2', '*384#')).toBe('200 END Sorry, we are busy right now. Please try again in a minute.');
  });
});

describe('when a check-in batch outlives the query timeout', () => {
  it('gives up on it: 504 outcome unknown at the query timeout, nothing written afterwards, even once the lock is gone', async () => {
    // Deadline far beyond the query timeout: the writer, not the deadline, must answer.
    const gw = await startGateway({ config: { mysql: { queryTimeoutMs: 400 }, http: { requestDeadlineMs: 5000 } } });
    const locker = await mysqlAdmin(gw.database);
    try {
      expect((await putVenue(gw, 'V1', { name: 'Kiosk', city: 'Nairobi' })).status).toBe(201);
      expect((await gw.request('POST', '/v1/checkins', { msisdn: '+254755000001', venueId: 'V1' })).status).toBe(201);
      // Another session holds the user's row: the batch's users upsert waits for it.
      await locker.query('START TRANSACTION');
      await locker.query("SELECT * FROM users WHERE msisdn = '+254755000001' FOR UPDATE");
      const t0 = performance.now();
      const res = await gw.request('POST', '/v1/checkins', { msisdn: '+254755000001', venueId: 'V1' });
      const ms = performance.now() - t0;
      // Sent, and no answer from the server: the writer cannot know whether it committed.
      expect(res.status).toBe(504);
      expect(res.json.error.code).toBe('CHECKIN_OUTCOME_UNKNOWN');
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(ms).toBeLessThan(2000);
      await locker.query('ROLLBACK');
      await new Promise((r) => setTimeout(r, 500));
      // The abandoned batch was killed on the server: it does not commit later.
      const [rows] = await locker.query("SELECT COUNT(*) AS n FROM checkins WHERE msisdn = '+254755000001'");
      expect(Number((rows as Array<{ n: string }>)[0]!.n)).toBe(1);
      // And the writer works again.
      expect(await checkInUntilCommitted(gw, '+254755000001')).toBe(201);
    } finally {
      await locker.end();
      await gw.stop();
    }
  });

  it('SIGTERM still drains and exits 0 while MySQL hangs mid-stream', async () => {
    const proxy = new TcpProxy(MYSQL.port);
    await proxy.start();
    const gw = await startGateway({ config: { mysql: { port: proxy.port, connectTimeoutMs: 300, queryTimeoutMs: 400 }, http: { requestDeadlineMs: 800 } } });
    try {
      expect((await putVenue(gw, 'V1', { name: 'Kiosk', city: 'Nairobi' })).status).toBe(201);
      expect(await checkInUntilCommitted(gw, '+254755000101')).toBe(201);
      proxy.set('stall');
      const res = await gw.request('POST', '/v1/checkins', { msisdn: '+254755000102', venueId: 'V1' });
      expect([503, 504]).toContain(res.status);
      const t0 = performance.now();
      gw.proc.kill('SIGTERM');
      const code = await Promise.race([gw.exited, new Promise<string>((r) => setTimeout(() => r('still running'), 6000))]);
      expect(code).toBe(0);
      expect(performance.now() - t0).toBeLessThan(6000);
      expect(gw.output()).toContain('"msg":"stopped"');
    } finally {
      proxy.set('refuse');
      await gw.stop();
      await proxy.stop();
    }
  });
});
