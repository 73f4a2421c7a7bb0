import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MYSQL } from '../helpers/env.js';
import { startGateway, type TestGateway } from '../helpers/gateway-process.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';
import { putUssdVenues } from './ussd/venues.js';

/**
 * A gateway with a short session TTL, access rules on some dialects, and MySQL behind a
 * fault-injecting proxy: expiry, authentication, and "busy" END screens in time.
 */
let gw: TestGateway;
let proxy: TcpProxy;
const SECRET = 'hubtel-shared-secret-0123';

beforeAll(async () => {
  proxy = new TcpProxy(MYSQL.port);
  await proxy.start();
  gw = await startGateway({
    config: {
      mysql: { port: proxy.port, connectTimeoutMs: 300, queryTimeoutMs: 400 },
      ussd: {
        sessionTtlSec: 1,
        deadlineMs: 150,
        vendors: {
          hubtel: { secret: SECRET, serviceCode: '*713#' },
          truroute: { allowFrom: ['10.0.0.0/8'] },
          imimobile: { enabled: false },
          flares: { allowFrom: ['127.0.0.1', '::1'], secret: SECRET, secretParam: 'key' },
        },
      },
      sms: { kannel: { allowFrom: ['192.0.2.1'] } },
    },
  });
  await putUssdVenues(gw);
});

afterAll(async () => {
  await gw?.stop();
  await proxy?.stop();
});

interface ErrorReply {
  error: { code: string; message: string };
}

async function errorOf(res: Response): Promise<ErrorReply['error']> {
  return ((await res.json()) as ErrorReply).error;
}

function at(sessionId: string, phone: string, text: string, serviceCode = '*384#'): Promise<Response> {
  return fetch(`${gw.url}/ussd/africastalking`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ sessionId, phoneNumber: phone, serviceCode, text }).toString(),
  });
}

describe('USSD expiry, access rules and failures', () => {
  it('a session expires after ussd.sessionTtlSec; per-hop dialects then end politely', async () => {
    const q = (input: string) => `${gw.url}/ussd/flares?SessionID=fe-1&MSISDN=254711800001&input=${input}&key=${SECRET}`;
    expect(await (await fetch(q('384'))).text()).toMatch(/^Hopgate rewards/);
    await new Promise((r) => setTimeout(r, 1300));
    const res = await fetch(q('1'));
    expect(res.headers.get('freeflow')).toBe('FB');
    expect(await res.text()).toBe('Your session has expired. Please dial *384# again.');
  });

  it('shared secret in a header (Hubtel) or a parameter (Flares); source allow-list (TruRoute); disabled dialect; SMS allow-list', async () => {
    const body = JSON.stringify({ SessionId: 'ha-1', Mobile: '254711800002', Type: 'Initiation', Message: '*384#', Sequence: 1 });
    const denied = await fetch(`${gw.url}/ussd/hubtel`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(denied.status).toBe(403);
    expect((await errorOf(denied)).code).toBe('CHANNEL_FORBIDDEN');
    const wrong = await fetch(`${gw.url}/ussd/hubtel`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hopgate-secret': 'nope' }, body });
    expect(wrong.status).toBe(403);
    const allowed = await fetch(`${gw.url}/ussd/hubtel`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hopgate-secret': SECRET }, body });
    expect(allowed.status).toBe(200);
    expect(((await allowed.json()) as { Type: string }).Type).toBe('Response');
    // This aggregator's own service code is the one it parses and the help text shows.
    const hop2 = JSON.stringify({ SessionId: 'ha-1', Mobile: '254711800002', Type: 'Response', Message: '5', Sequence: 2 });
    const help = await fetch(`${gw.url}/ussd/hubtel`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hopgate-secret': SECRET }, body: hop2 });
    expect(((await help.json()) as { Message: string }).Message).toContain('dial *713# and choose 1, or dial the venue code at once, e.g. *713*123#');

    expect((await fetch(`${gw.url}/ussd/flares?SessionID=fa-1&MSISDN=254711800003&input=384`)).status).toBe(403);
    expect((await fetch(`${gw.url}/ussd/flares?SessionID=fa-1&MSISDN=254711800003&input=384&key=${SECRET}`)).status).toBe(200);

    const xml = '<ussd><msisdn>254711800004</msisdn><sessionid>ta-1</sessionid><type>1</type><msg>*384#</msg></ussd>';
    const tr = await fetch(`${gw.url}/ussd/truroute`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body: xml });
    expect(tr.status).toBe(403);
    expect(await errorOf(tr)).toEqual({ code: 'CHANNEL_FORBIDDEN', message: 'this source address may not call this dialect' });

    const imi = await fetch(`${gw.url}/ussd/imimobile?msisdn=254711800005&msg=*384%23`);
    expect(imi.status).toBe(404);
    expect((await errorOf(imi)).code).toBe('CHANNEL_DISABLED');

    const sms = await fetch(`${gw.url}/sms/kannel?from=254711800006&text=HELP`);
    expect(sms.status).toBe(403);
  });

  it('MySQL down: a check-in gets a polite busy END in time, never a hang', async () => {
    // The menu needs no database: it still works.
    expect(await (await at('fm-1', '+254711800007', '')).text()).toMatch(/^CON Hopgate rewards/);
    proxy.set('stall');
    try {
      const t0 = performance.now();
      const res = await at('fm-2', '+254711800008', '', '*384*123#');
      const elapsed = performance.now() - t0;
      expect(res.status).toBe(200);
      expect(await res.text()).toBe('END Sorry, we are busy right now. Please try again in a minute.');
      // The telco waits a few seconds at most; the deadline is 150 ms (allow for a busy box).
      expect(elapsed).toBeLessThan(2000);
      const metrics = await (await fetch(`${gw.url}/metrics`)).text();
      expect(metrics).toMatch(/hopgate_ussd_replies_total\{[^}]*dialect="africastalking"[^}]*outcome="busy"[^}]*\} 1\n/);
      expect(metrics).toMatch(/hopgate_ussd_replies_total\{[^}]*dialect="hubtel"[^}]*outcome="forbidden"[^}]*\} [1-9]/);
    } finally {
      proxy.set('refuse');
      proxy.set('pass');
    }
  });
});
