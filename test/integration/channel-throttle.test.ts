import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type TestGateway } from '../helpers/gateway-process.js';
import { DIALECT_NAMES, ussdClient } from './ussd/dialect-clients.js';

/**
 * USSD and SMS callers carry no API key: a subscriber hammering the menu and a gateway
 * flooding from its address are held back by their own token buckets and told so in the
 * vendor's own format, while everybody else is served as usual.
 */
let perSubscriber: TestGateway;
let perSource: TestGateway;

const THROTTLED = 'Too many requests. Please try again shortly.';
const SMS_THROTTLED = 'Too many messages from your number. Please wait a minute and try again.';
const MENU = 'Hopgate rewards\n1 Check in\n2 My points\n3 Top players\n4 Venue skipper\n5 Help\n6 Language';

beforeAll(async () => {
  [perSubscriber, perSource] = await Promise.all([
    // 3 requests at once, then one every 100 s: a test never sees a refill.
    startGateway({ config: { ussd: { deadlineMs: 5000 }, limits: { subscriberRatePerSec: 0.01, subscriberBurst: 3, sourceRatePerSec: 0 } } }),
    startGateway({ config: { ussd: { deadlineMs: 5000 }, limits: { subscriberRatePerSec: 0, sourceRatePerSec: 0.01, sourceBurst: 4 } } }),
  ]);
});

afterAll(async () => {
  await Promise.all([perSubscriber?.stop(), perSource?.stop()]);
});

async function sms(gw: TestGateway, from: string, text = 'HELP'): Promise<string> {
  const r = await fetch(`${gw.url}/sms/kannel?${new URLSearchParams({ from, to: '384', text })}`);
  expect(r.status).toBe(200);
  return r.text();
}

/** An Africa's Talking first hop sent from another loopback address: another gateway. */
function atFrom(gw: TestGateway, localAddress: string, sessionId: string): Promise<string> {
  const body = new URLSearchParams({ sessionId, phoneNumber: '+254711300999', serviceCode: '*384#', text: '' }).toString();
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: gw.port, path: '/ussd/africastalking', method: 'POST', localAddress, headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let out = '';
        res.on('data', (d: Buffer) => (out += d.toString()));
        res.on('end', () => resolve(out));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('per-subscriber throttle', () => {
  it.each(DIALECT_NAMES.map((d, i) => [d, i] as const))('%s: the 4th dial of one subscriber is a polite END in the wire format; another subscriber is served', async (dialect, i) => {
    const hammer = `+2547113000${String(i).padStart(2, '0')}`;
    for (let n = 0; n < 3; n++) {
      expect(await ussdClient(dialect, perSubscriber.url, `${dialect}-h-${n}`, hammer).start(), `${dialect} dial ${n + 1}`).toEqual({ end: false, text: MENU });
    }
    expect(await ussdClient(dialect, perSubscriber.url, `${dialect}-h-3`, hammer).start()).toEqual({ end: true, text: THROTTLED });
    expect(await ussdClient(dialect, perSubscriber.url, `${dialect}-o`, `+2547113001${String(i).padStart(2, '0')}`).start()).toEqual({ end: false, text: MENU });
  });

  it('SMS: the 4th message of one sender is told to wait; another sender is served', async () => {
    for (let n = 0; n < 3; n++) expect(await sms(perSubscriber, '254711300201')).toMatch(/^Hopgate: CHECKIN/);
    expect(await sms(perSubscriber, '254711300201')).toBe(SMS_THROTTLED);
    expect(await sms(perSubscriber, '254711300202')).toMatch(/^Hopgate: CHECKIN/);
  });

  it('counts throttled hops in hopgate_ussd_replies_total', async () => {
    const metrics = await (await fetch(`${perSubscriber.url}/metrics`)).text();
    for (const d of DIALECT_NAMES) expect(metrics).toMatch(new RegExp(`hopgate_ussd_replies_total\\{[^}]*dialect="${d}"[^}]*outcome="throttled"[^}]*\\} 1`));
  });
});

describe('per-source throttle', () => {
  it('a flooding source gets the END screen in every dialect; another source is served', async () => {
    for (let n = 0; n < 4; n++) {
      expect(await ussdClient('africastalking', perSource.url, `src-${n}`, `+2547113003${String(n).padStart(2, '0')}`).start()).toEqual({ end: false, text: MENU });
    }
    for (const dialect of DIALECT_NAMES) {
      expect(await ussdClient(dialect, perSource.url, `src-${dialect}`, '+254711300399').start(), dialect).toEqual({ end: true, text: THROTTLED });
    }
    // SMS has buckets of its own: Kannel's box is another gateway than the USSD aggregator.
    for (let n = 0; n < 4; n++) expect(await sms(perSource, `2547113004${n}0`)).toMatch(/^Hopgate: CHECKIN/);
    expect(await sms(perSource, '254711300398')).toBe(SMS_THROTTLED);
    // The same gateway address family, another host: its own bucket.
    expect(await atFrom(perSource, '127.0.0.2', 'src-other')).toBe(`CON ${MENU}`);
  });
});
