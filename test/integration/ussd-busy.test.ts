import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MYSQL, REDIS } from '../helpers/env.js';
import { startGateway, type TestGateway } from '../helpers/gateway-process.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { putUssdVenues } from './ussd/venues.js';

/**
 * "Busy" in every dialect's own wire format: with MySQL stalled (a check-in cannot commit)
 * or the session Redis stalled (no session can be read), every dialect answers its
 * subscriber with a polite END screen at `ussd.deadlineMs` — never a telco timeout, never
 * an HTTP error — and the SMS route with the busy text at `sms.deadlineMs`.
 */
let gw: TestGateway;
let mysqlProxy: TcpProxy;
let redisProxy: TcpProxy;

const BUSY = 'Sorry, we are busy right now. Please try again in a minute.';
/** The END screen when the check-in was sent before the link froze: it may count, no "try again". */
const UNCONFIRMED = 'Your check-in is not confirmed yet. It may count: check My points soon before checking in again.';
const SMS_UNCONFIRMED = 'We could not confirm your check-in in time. It may still count: send POINTS in a few minutes before checking in again.';
const SMS_DEADLINE_MS = 400;

beforeAll(async () => {
  mysqlProxy = new TcpProxy(MYSQL.port);
  redisProxy = new TcpProxy(REDIS.port);
  await mysqlProxy.start();
  await redisProxy.start();
  gw = await startGateway({
    config: {
      // Neither MySQL timeout may answer before the deadlines do: a check-in batch that had to
      // open a connection through the stalled proxy failed at the 300 ms connect timeout, so
      // the SMS busy text came before sms.deadlineMs whenever no pooled connection was free.
      mysql: { port: mysqlProxy.port, connectTimeoutMs: 5000, queryTimeoutMs: 5000 },
      // Sessions through the proxy; the read model straight to Redis.
      redis: { local: { port: redisProxy.port, commandTimeoutMs: 1000 } },
      ussd: { deadlineMs: 150 },
      sms: { deadlineMs: SMS_DEADLINE_MS },
    },
  });
  await putUssdVenues(gw);
});

afterAll(async () => {
  await gw?.stop();
  await mysqlProxy?.stop();
  await redisProxy?.stop();
});

interface WireExpectation {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** A first hop in each dialect (dialling `dialled`), and the busy END it must get back. */
const DIALECTS: ReadonlyArray<{
  name: string;
  send: (url: string, sid: string, msisdn: string, dialled: string) => Promise<Response>;
  busy: (sid: string, msisdn: string, text?: string) => WireExpectation;
}> = [
  {
    name: 'africastalking',
    send: (url, sid, msisdn, dialled) =>
      fetch(`${url}/ussd/africastalking`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ sessionId: sid, phoneNumber: `+${msisdn}`, serviceCode: dialled, text: '' }).toString(),
      }),
    busy: (_sid, _msisdn, text = BUSY) => ({ status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `END ${text}` }),
  },
  {
    name: 'hubtel',
    send: (url, sid, msisdn, dialled) =>
      fetch(`${url}/ussd/hubtel`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ SessionId: sid, Mobile: msisdn, ServiceCode: '384', Type: 'Initiation', Message: dialled, Operator: 'MTN', Sequence: 1, ClientState: '' }),
      }),
    busy: (_sid, _msisdn, text = BUSY) => ({
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify({ Type: 'Release', Message: text, ClientState: '' }),
    }),
  },
  {
    name: 'flares',
    send: (url, sid, msisdn, dialled) =>
      fetch(`${url}/ussd/flares?${new URLSearchParams({ SessionID: sid, MSISDN: msisdn, MSC: 'airtel', input: dialled.replace(/^\*/, '').replace(/#$/, '') })}`),
    busy: (_sid, _msisdn, text = BUSY) => ({ status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', freeflow: 'FB', charge: 'N' }, body: text }),
  },
  {
    name: 'truroute',
    send: (url, sid, msisdn, dialled) =>
      fetch(`${url}/ussd/truroute`, {
        method: 'POST',
        headers: { 'content-type': 'text/xml' },
        body: `<?xml version="1.0" encoding="UTF-8"?><ussd><msisdn>${msisdn}</msisdn><sessionid>${sid}</sessionid><type>1</type><msg>${dialled}</msg></ussd>`,
      }),
    busy: (sid, msisdn, text = BUSY) => ({
      status: 200,
      headers: { 'content-type': 'text/xml; charset=utf-8' },
      body: `<?xml version="1.0" encoding="UTF-8"?><ussd><msisdn>${msisdn}</msisdn><sessionid>${sid}</sessionid><type>3</type><msg>${text}</msg></ussd>`,
    }),
  },
  {
    name: 'imimobile',
    send: (url, _sid, msisdn, dialled) => fetch(`${url}/ussd/imimobile?${new URLSearchParams({ msisdn, msg: dialled, code: '*384#', tid: '1' })}`),
    busy: (_sid, _msisdn, text = BUSY) => ({ status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-ussd-session': '0' }, body: text }),
  },
];

/** The reply is one of `wants` (they differ only in the screen's text). */
async function expectWire(res: Response, ...wants: WireExpectation[]): Promise<void> {
  const body = await res.text();
  const want = wants.find((w) => w.body === body) ?? wants[0]!;
  expect(res.status, body).toBe(want.status);
  for (const [name, value] of Object.entries(want.headers)) expect(res.headers.get(name), name).toBe(value);
  expect(body).toBe(want.body);
}

describe('USSD busy END in every dialect', () => {
  it('MySQL stalled: a dial-through in every dialect gets its dialect’s busy END at the deadline; SMS gets the busy text', async () => {
    // Everything works before the fault.
    const ok = await DIALECTS[0]!.send(gw.url, 'busy-ok', '254711950000', '*384*123#');
    expect(await ok.text()).toMatch(/^END Checked in at Java House!/);
    mysqlProxy.set('stall');
    try {
      await Promise.all(
        DIALECTS.map(async (d, i) => {
          const sid = `busy-m-${d.name}`;
          const msisdn = `2547119501${String(i).padStart(2, '0')}`;
          const t0 = performance.now();
          const res = await d.send(gw.url, sid, msisdn, '*384*123#');
          const ms = performance.now() - t0;
          // Busy when the check-in was not sent; unconfirmed when its batch was sent and froze.
          await expectWire(res, d.busy(sid, msisdn), d.busy(sid, msisdn, UNCONFIRMED));
          // 150 ms deadline; the telco gives up after a few seconds (slack for a busy box).
          expect(ms, d.name).toBeLessThan(1500);
        }),
      );
      const t0 = performance.now();
      const sms = await fetch(`${gw.url}/sms/kannel?${new URLSearchParams({ from: '254711950199', to: '20384', text: 'CHECKIN 123', id: 'busy-sms-1' })}`);
      const ms = performance.now() - t0;
      expect(sms.status).toBe(200);
      expect(sms.headers.get('content-type')).toBe('text/plain; charset=utf-8');
      expect([BUSY, SMS_UNCONFIRMED]).toContain(await sms.text());
      expect(ms).toBeGreaterThanOrEqual(SMS_DEADLINE_MS - 20);
      expect(ms).toBeLessThan(SMS_DEADLINE_MS + 1500);
    } finally {
      mysqlProxy.set('refuse');
      mysqlProxy.set('pass');
    }
  });

  it('session Redis stalled: a menu start in every dialect gets its dialect’s busy END by the deadline', async () => {
    redisProxy.set('stall');
    try {
      await Promise.all(
        DIALECTS.map(async (d, i) => {
          const sid = `busy-r-${d.name}`;
          const msisdn = `2547119502${String(i).padStart(2, '0')}`;
          const t0 = performance.now();
          const res = await d.send(gw.url, sid, msisdn, '*384#');
          const ms = performance.now() - t0;
          await expectWire(res, d.busy(sid, msisdn));
          expect(ms, d.name).toBeLessThan(1500);
        }),
      );
      const metrics = await (await fetch(`${gw.url}/metrics`)).text();
      // The engine answers busy itself once the session load exceeds redis.local.requestBudgetMs
      // (outcome "reply"), or the deadline does (outcome "busy") on a slow box.
      for (const d of DIALECTS) expect(metrics).toMatch(new RegExp(`hopgate_ussd_replies_total\\{[^}]*dialect="${d.name}"[^}]*outcome="(busy|reply)"[^}]*\\} [1-9]`));
    } finally {
      redisProxy.set('refuse');
      redisProxy.set('pass');
    }
  });
});
