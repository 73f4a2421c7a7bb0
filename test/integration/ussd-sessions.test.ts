import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeScore, readModelKeys } from '../../src/core/leaderboard.js';
import { mysqlAdmin, REDIS } from '../helpers/env.js';
import { putVenue, startGateway, type TestGateway } from '../helpers/gateway-process.js';
import { putUssdVenues } from './ussd/venues.js';

/**
 * Whole USSD sessions over real HTTP against a real gateway process, real MariaDB and
 * Redis: the check-in goes through the durable writer; figures come from the read model,
 * which these tests seed directly (the points pipeline is not what is under test here).
 */
let gw: TestGateway;
let redis: Redis;

const MENU = 'Hopgate rewards\n1 Check in\n2 My points\n3 Top players\n4 Venue skipper\n5 Help\n6 Language';
const TOP = 'Top players\n1 Global\n2 My city\n3 This week\n0 Back';

beforeAll(async () => {
  // A generous USSD deadline: on a loaded test box a check-in must not turn into "busy".
  // TruRoute here carries a neighbouring country's telco (Uganda, +256): its numbers come in
  // international form without a plus, which the site's own country code (254) would misread.
  gw = await startGateway({ config: { ussd: { deadlineMs: 3000, vendors: { truroute: { countryCode: '256' } } } } });
  await putUssdVenues(gw);
  redis = new Redis({ ...REDIS, keyPrefix: gw.redisPrefix, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
});

afterAll(async () => {
  redis?.disconnect();
  await gw?.stop();
});

async function at(sessionId: string, phone: string, text: string, serviceCode = '*384#'): Promise<string> {
  const res = await fetch(`${gw.url}/ussd/africastalking`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ sessionId, phoneNumber: phone, serviceCode, text }).toString(),
  });
  expect(res.status).toBe(200);
  return res.text();
}

async function hubtel(body: Record<string, unknown>): Promise<{ Type: string; Message: string }> {
  const res = await fetch(`${gw.url}/ussd/hubtel`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  return (await res.json()) as { Type: string; Message: string };
}

async function checkInRows(msisdn: string): Promise<Array<{ client_id: string; request_key: string; channel: string; venue_id: string }>> {
  const c = await mysqlAdmin(gw.database);
  try {
    const [rows] = await c.query('SELECT client_id, request_key, channel, venue_id FROM checkins WHERE msisdn = ? ORDER BY id', [msisdn]);
    return rows as Array<{ client_id: string; request_key: string; channel: string; venue_id: string }>;
  } finally {
    await c.end();
  }
}

async function setPoints(board: string, msisdn: string, points: number): Promise<void> {
  await redis.zadd(board, encodeScore(points, Date.now()), msisdn);
}

describe('USSD sessions over HTTP', () => {
  it("menu → check in → points (Africa's Talking), one durable check-in row", async () => {
    const p = '+254711700001';
    expect(await at('s-1', p, '')).toBe(`CON ${MENU}`);
    expect(await at('s-1', p, '1')).toBe('CON Enter the venue code:\n0 Back');
    expect(await at('s-1', p, '1*123')).toBe('CON Checked in at Java House! You earned points.\nSee them in My points shortly.\n0 Menu');
    expect(await checkInRows(p)).toEqual([{ client_id: 'ussd:africastalking', request_key: 's-1:0:2', channel: 'ussd', venue_id: 'v-123' }]);
    // The points site credits the check-in; the read model then shows it.
    await setPoints(readModelKeys.board('global', ''), p, 10);
    expect(await at('s-1', p, '1*123*0')).toBe(`CON ${MENU}`);
    expect(await at('s-1', p, '1*123*0*2')).toBe('CON You have 10 points. Your rank: #1.\n0 Back');
  });

  it('dial-through equals dialling the menu and typing the venue code', async () => {
    const direct = await at('s-2', '+254711700002', '', '*384*4711#');
    expect(direct).toMatch(/^END Checked in at Mama Oliech Fish Restaurant & Bar, .*! You earned points\.\nSee them in My points shortly\.$/);
    await at('s-3', '+254711700003', '');
    await at('s-3', '+254711700003', '1');
    expect(await at('s-3', '+254711700003', '1*4711')).toBe(`${direct.replace(/^END /, 'CON ')}\n0 Menu`);
    expect(await checkInRows('+254711700002')).toHaveLength(1);
    expect(await checkInRows('+254711700003')).toHaveLength(1);
  });

  it('a resent hop — sequentially or concurrently, as two nodes would see it — is exactly one check-in row', async () => {
    const p = '+254711700004';
    await at('s-4', p, '');
    await at('s-4', p, '1');
    const replies = await Promise.all([at('s-4', p, '1*555'), at('s-4', p, '1*555'), at('s-4', p, '1*555')]);
    expect(new Set(replies).size).toBe(1);
    expect(await at('s-4', p, '1*555')).toBe(replies[0]);
    expect(await checkInRows(p)).toHaveLength(1);
    // A duplicated dial-through start (Hubtel sends Initiation twice) is one check-in too.
    const start = { SessionId: 'hub-s-5', Mobile: '254711700005', Type: 'Initiation', Message: '*384*123#', Sequence: 1 };
    const [a, b] = await Promise.all([hubtel(start), hubtel(start)]);
    expect(a).toEqual(b);
    expect(a.Type).toBe('Release');
    expect(await checkInRows('+254711700005')).toHaveLength(1);
  });

  it('IMImobile (keyed on the MSISDN): a start sent several times at once is one check-in and one screen', async () => {
    const imi = async (msisdn: string, msg: string): Promise<string> => {
      const res = await fetch(`${gw.url}/ussd/imimobile?${new URLSearchParams({ msisdn, msg, code: '*384#' })}`);
      expect(res.status).toBe(200);
      return `${res.headers.get('x-ussd-session')} ${await res.text()}`;
    };
    for (let i = 0; i < 4; i++) {
      const msisdn = `25471170010${i}`;
      // Duplicates a few milliseconds apart, as a gateway that resends its start sends them.
      const replies = await Promise.all([0, 3, 6].map((ms) => new Promise((r) => setTimeout(r, ms)).then(() => imi(msisdn, '*384*123#'))));
      expect(new Set(replies)).toEqual(new Set(['0 Checked in at Java House! You earned points.\nSee them in My points shortly.']));
      expect(await checkInRows(`+${msisdn}`)).toHaveLength(1);
    }
  });

  it('back and paging through the leaderboards, and my city', async () => {
    const p = '+254711700006';
    for (let i = 0; i < 25; i++) await setPoints(readModelKeys.board('global', ''), `+2547990000${String(i).padStart(2, '0')}`, 5000 - i);
    await setPoints(readModelKeys.board('city:nairobi', ''), '+254799000003', 4997);
    await at('s-6', p, '');
    expect(await at('s-6', p, '3')).toBe(`CON ${TOP}`);
    const page1 = await at('s-6', p, '3*1');
    expect(page1.startsWith('CON Top players - Global:\n1. +2547*****000 5000\n2. +2547*****001 4999\n')).toBe(true);
    expect(page1.endsWith('\n98 More\n0 Back')).toBe(true);
    const page2 = await at('s-6', p, '3*1*98');
    const firstOnPage2 = Number(/\n(\d+)\. /.exec(page2)![1]);
    expect(firstOnPage2).toBe(page1.split('\n').filter((l) => /^\d+\. /.test(l)).length + 1);
    expect(await at('s-6', p, '3*1*98*0')).toBe(`CON ${TOP}`);
    // No check-in yet: the city is unknown.
    expect(await at('s-6', p, '3*1*98*0*2')).toBe('CON We do not know your city yet. Check in at a venue first.\n0 Back');
    expect(await at('s-6', p, '3*1*98*0*2*0*0')).toBe(`CON ${MENU}`);
    await at('s-6', p, '3*1*98*0*2*0*0*1');
    await at('s-6', p, '3*1*98*0*2*0*0*1*123');
    expect(await at('s-6', p, '3*1*98*0*2*0*0*1*123*0*3*2')).toBe('CON Top players - Nairobi:\n1. +2547*****003 4997\n0 Back');
  });

  it('the language choice is remembered across sessions (Hindi, UCS-2 ≤ 80 characters)', async () => {
    const m = { Mobile: '254711700007', ServiceCode: '384' };
    await hubtel({ ...m, SessionId: 'hub-l-1', Type: 'Initiation', Message: '*384#', Sequence: 1 });
    await hubtel({ ...m, SessionId: 'hub-l-1', Type: 'Response', Message: '6', Sequence: 2 });
    const hindi = await hubtel({ ...m, SessionId: 'hub-l-1', Type: 'Response', Message: '2', Sequence: 3 });
    expect(hindi.Message.startsWith('हॉपगेट इनाम\n1 चेक-इन')).toBe(true);
    const next = await hubtel({ ...m, SessionId: 'hub-l-2', Type: 'Initiation', Message: '*384#', Sequence: 1 });
    expect(next).toEqual(hindi);
    const done = await hubtel({ ...m, SessionId: 'hub-l-3', Type: 'Initiation', Message: '*384*555#', Sequence: 1 });
    expect(done.Type).toBe('Release');
    expect(done.Message.length).toBeLessThanOrEqual(80);
    expect(done.Message).toMatch(/पर चेक-इन! इनाम मिला।\nअंक जल्द ही जुड़ेंगे।$/);
  });

  it('a venue named outside GSM-7 is never shortened to nothing on an English screen', async () => {
    expect((await putVenue(gw, 'v-901', { name: 'हल्दीराम स्वीट्स एंड रेस्टोरेंट, चांदनी चौक', city: 'Delhi', code: '901' })).status).toBe(201);
    const p = '+254711700009';
    expect(await at('s-dv-1', p, '', '*384*901#')).toMatch(/^END Checked in at हल्दीराम.*\.\.! You earned points\.\nSee them in My points shortly\.$/);
    expect(await at('s-dv-2', p, '', '*384*901#')).toBe('END Checked in at venue 901. Already rewarded there today, no new points.\nTotal 0 points.');
  });

  it('sessions live in redis.local with the configured TTL', async () => {
    await at('s-ttl', '+254711700008', '');
    const ttl = await redis.pttl('ussd:s:africastalking:s-ttl');
    expect(ttl).toBeGreaterThan(170_000);
    expect(ttl).toBeLessThanOrEqual(180_000);
  });
});

describe('a dialect with its own country code', () => {
  it("stores the subscriber under the telco's country, and echoes the number as the vendor sent it", async () => {
    const xml = (msisdn: string, sid: string) =>
      `<?xml version="1.0" encoding="UTF-8"?><ussd><msisdn>${msisdn}</msisdn><sessionid>${sid}</sessionid><type>1</type><msg>*384*123#</msg></ussd>`;
    const post = async (body: string) => {
      const res = await fetch(`${gw.url}/ussd/truroute`, { method: 'POST', headers: { 'content-type': 'text/xml' }, body });
      expect(res.status).toBe(200);
      return res.text();
    };
    // International form without a plus, and the national form with its trunk 0.
    expect(await post(xml('256772100001', 'tr-cc-1'))).toContain('<msisdn>256772100001</msisdn><sessionid>tr-cc-1</sessionid><type>3</type><msg>Checked in at Java House!');
    expect(await post(xml('0772100002', 'tr-cc-2'))).toContain('<msisdn>0772100002</msisdn>');
    expect(await checkInRows('+256772100001')).toHaveLength(1);
    expect(await checkInRows('+256772100002')).toHaveLength(1);
    expect(await checkInRows('+254256772100001')).toHaveLength(0);
    // Other dialects keep the site's country code.
    await at('s-cc-3', '0711700099', '', '*384*123#');
    expect(await checkInRows('+254711700099')).toHaveLength(1);
  });
});
