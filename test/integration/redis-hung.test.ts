import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlAdmin, REDIS } from '../helpers/env.js';
import { startGateway, type TestGateway } from '../helpers/gateway-process.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { putUssdVenues } from './ussd/venues.js';

/**
 * A Redis that accepts connections and never answers (issue 12): check-ins still commit and
 * answer with stale figures, USSD dial-throughs are still served, within their deadlines.
 * The client's command timeout is set far beyond both deadlines, so only the gateway's own
 * bound on request-path Redis calls (redis.*.requestBudgetMs) and its breaker can make it.
 */
let gw: TestGateway;
let proxy: TcpProxy;

beforeAll(async () => {
  proxy = new TcpProxy(REDIS.port);
  await proxy.start();
  // Budget and deadlines above production (50 ms; 150 ms and 1 s) for a busy box, in the
  // same order; the client's command timeout stays far beyond the deadlines.
  const hung = { port: proxy.port, commandTimeoutMs: 5000, requestBudgetMs: 200 };
  gw = await startGateway({
    config: { redis: { local: hung, readModel: hung }, http: { requestDeadlineMs: 3000 }, ussd: { deadlineMs: 1500 } },
  });
  await putUssdVenues(gw);
});

afterAll(async () => {
  await gw?.stop();
  await proxy?.stop();
});

function dial(sessionId: string, msisdn: string, serviceCode: string): Promise<string> {
  return fetch(`${gw.url}/ussd/africastalking`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ sessionId, phoneNumber: `+${msisdn}`, serviceCode, text: '' }).toString(),
  }).then((r) => r.text());
}

/** Checks in until a reply carries fresh figures (at most 100 tries, 100 ms apart). */
async function freshFigures(msisdn: string): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    const res = await gw.request('POST', '/v1/checkins', { msisdn, venueId: 'v-123' });
    expect(res.status).toBe(201);
    if (res.json.points.stale === false) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe('when Redis hangs', () => {
  it('check-ins commit with stale figures, dial-throughs are served, a menu start is told busy; fresh again once Redis answers', async () => {
    expect(await freshFigures('+254736000001')).toBe(true);

    proxy.set('stall');
    try {
      for (let i = 0; i < 6; i++) {
        const res = await gw.request('POST', '/v1/checkins', { msisdn: `+25473600010${i}`, venueId: 'v-123' });
        expect(res.status, res.text).toBe(201);
        expect(res.json.points).toMatchObject({ total: null, rank: null, stale: true });
      }
      // Dial-through needs no session: checked in, answered within the USSD deadline.
      for (let i = 0; i < 4; i++) {
        const text = await dial(`hung-${i}`, `25473600020${i}`, '*384*123#');
        expect(text).toMatch(/^END Checked in at Java House! You earned points\./);
      }
      // A menu needs its session: nothing was done, so "busy, try again" is the truth.
      expect(await dial('hung-menu', '254736000299', '*384#')).toBe('END Sorry, we are busy right now. Please try again in a minute.');
    } finally {
      proxy.resume();
    }
    const db = await mysqlAdmin(gw.database);
    try {
      const [rows] = await db.query("SELECT COUNT(*) AS n FROM checkins WHERE msisdn LIKE '+2547360002%'");
      expect(Number((rows as Array<{ n: number }>)[0]!.n)).toBe(4);
    } finally {
      await db.end();
    }
    // The breaker lets a probe through every second: figures come back.
    expect(await freshFigures('+254736000300')).toBe(true);
  });
});
