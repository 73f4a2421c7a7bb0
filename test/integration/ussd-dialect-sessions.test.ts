import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeScore, readModelKeys } from '../../src/core/leaderboard.js';
import { LocalCalendar } from '../../src/core/time.js';
import { mysqlAdmin, REDIS } from '../helpers/env.js';
import { startGateway, type TestGateway } from '../helpers/gateway-process.js';
import { DIALECT_NAMES, ussdClient } from './ussd/dialect-clients.js';
import { putUssdVenues } from './ussd/venues.js';

/**
 * The same whole session, in every dialect, over HTTP against a real gateway: menu,
 * leaderboard paging and back, check-in with the hop resent (sequentially and
 * concurrently) — exactly one row in MySQL — then my points; dial-through; every other
 * menu item (invalid input, help pages, skipper, this week, my city, language); expiry.
 */
let gw: TestGateway;
/** Sessions live one second here, for expiry in every dialect. */
let short: TestGateway;

const MENU = 'Hopgate rewards\n1 Check in\n2 My points\n3 Top players\n4 Venue skipper\n5 Help\n6 Language';
const TOP = 'Top players\n1 Global\n2 My city\n3 This week\n0 Back';

beforeAll(async () => {
  // A generous USSD deadline: on a loaded test box a check-in must not turn into "busy".
  [gw, short] = await Promise.all([
    startGateway({ config: { ussd: { deadlineMs: 3000 } } }),
    startGateway({ config: { ussd: { deadlineMs: 3000, sessionTtlSec: 1 } } }),
  ]);
  await putUssdVenues(gw);
  await putUssdVenues(short);
  const redis = new Redis({ ...REDIS, keyPrefix: gw.redisPrefix, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  for (let i = 0; i < 25; i++) await redis.zadd(readModelKeys.board('global', ''), encodeScore(9000 - i, Date.now()), `+2547980000${String(i).padStart(2, '0')}`);
  const week = new LocalCalendar('Africa/Nairobi').isoWeek(Date.now());
  await redis.zadd(readModelKeys.board('week', week), encodeScore(70, Date.now()), '+254798100001');
  await redis.zadd(readModelKeys.board('city:mombasa', ''), encodeScore(40, Date.now()), '+254798100002');
  await redis.hset(readModelKeys.skipper('v-123'), { msisdn: '+254798100003', days: '1', since: String(Date.now()) });
  redis.disconnect();
});

afterAll(async () => {
  await Promise.all([gw?.stop(), short?.stop()]);
});

async function rows(msisdn: string): Promise<Array<{ client_id: string; venue_id: string }>> {
  const c = await mysqlAdmin(gw.database);
  try {
    const [r] = await c.query('SELECT client_id, venue_id FROM checkins WHERE msisdn = ?', [msisdn]);
    return r as Array<{ client_id: string; venue_id: string }>;
  } finally {
    await c.end();
  }
}

describe.each(DIALECT_NAMES.map((d, i) => [d, i] as const))('whole session: %s', (dialect, i) => {
  it('menu → top (page, back) → check in (resent) → points', async () => {
    const phone = `+2547119000${String(i).padStart(2, '0')}`;
    const u = ussdClient(dialect, gw.url, `sess-${dialect}`, phone);
    expect(await u.start()).toEqual({ text: MENU, end: false });
    expect(await u.answer('3')).toEqual({ text: TOP, end: false });
    const page1 = await u.answer('1');
    expect(page1.text.startsWith('Top players - Global:\n1. +2547*****000 9000\n')).toBe(true);
    expect(page1.text.endsWith('\n98 More\n0 Back')).toBe(true);
    const page2 = await u.answer('98');
    expect(page2.text).not.toBe(page1.text);
    expect(page2.end).toBe(false);
    expect(await u.answer('0')).toEqual({ text: TOP, end: false });
    expect(await u.answer('0')).toEqual({ text: MENU, end: false });
    expect(await u.answer('1')).toEqual({ text: 'Enter the venue code:\n0 Back', end: false });
    const done = await u.answer('555');
    expect(done).toEqual({ text: 'Checked in at Café "Zanzibar" - Old Town Rooftop Terrace and Shisha Lounge! You earned points.\nSee them in My points shortly.\n0 Menu', end: false });
    expect(await u.resend()).toEqual(done);
    const again = await Promise.all([u.resend(), u.resend()]);
    expect(again).toEqual([done, done]);
    expect(await rows(phone)).toEqual([{ client_id: `ussd:${dialect}`, venue_id: 'v-555' }]);
    expect(await u.answer('0')).toEqual({ text: MENU, end: false });
    expect(await u.answer('2')).toEqual({ text: 'No points credited yet. Check in at a venue to earn points: they show here shortly after.\n0 Back', end: false });
  });

  it('dial-through checks in once and ends', async () => {
    const phone = `+2547119100${String(i).padStart(2, '0')}`;
    const u = ussdClient(dialect, gw.url, `dial-${dialect}`, phone);
    const first = await u.start('*384*123#');
    expect(first).toEqual({ text: 'Checked in at Java House! You earned points.\nSee them in My points shortly.', end: true });
    expect(await u.resend()).toEqual(first);
    expect(await rows(phone)).toHaveLength(1);
  });
  it('invalid input, help pages, skipper, this week, my city, and the language remembered', async () => {
    const phone = `+2547119200${String(i).padStart(2, '0')}`;
    const u = ussdClient(dialect, gw.url, `walk-${dialect}`, phone);
    expect(await u.start()).toEqual({ text: MENU, end: false });
    expect(await u.answer('9')).toEqual({ text: MENU.replace('Hopgate rewards', 'Invalid choice, reply with a number:'), end: false });
    const help1 = await u.answer('5');
    expect(help1).toEqual({ text: 'Earn points by checking in: dial *384# and choose 1, or dial the venue code at once, e.g. *384*123#.\n98 More\n0 Back', end: false });
    expect(await u.answer('7')).toEqual({ text: `Invalid choice, reply with a number:\n${help1.text}`, end: false });
    expect((await u.answer('98')).text).toMatch(/^One rewarded check-in per venue per day\..*\n98 More\n0 Back$/s);
    expect((await u.answer('98')).text).toMatch(/^SMS CHECKIN <code>, POINTS, TOP or HELP .*\n0 Back$/s);
    expect(await u.answer('0')).toEqual({ text: MENU, end: false });
    expect(await u.answer('4')).toEqual({ text: 'Enter the venue code to see its skipper:\n0 Back', end: false });
    expect(await u.answer('123')).toEqual({ text: 'Skipper of Java House: +2547*****003, 1 day.\n0 Back', end: false });
    expect(await u.answer('0')).toEqual({ text: MENU, end: false });
    expect(await u.answer('3')).toEqual({ text: TOP, end: false });
    // No check-in yet: the city is unknown.
    expect(await u.answer('2')).toEqual({ text: 'We do not know your city yet. Check in at a venue first.\n0 Back', end: false });
    expect(await u.answer('0')).toEqual({ text: TOP, end: false });
    expect(await u.answer('3')).toEqual({ text: 'Top players - This week:\n1. +2547*****001 70\n0 Back', end: false });
    expect(await u.answer('0')).toEqual({ text: TOP, end: false });
    expect(await u.answer('0')).toEqual({ text: MENU, end: false });
    expect((await u.answer('1')).text).toBe('Enter the venue code:\n0 Back');
    expect((await u.answer('555')).text).toMatch(/^Checked in at Café "Zanzibar"/);
    expect(await u.answer('0')).toEqual({ text: MENU, end: false });
    expect(await u.answer('3')).toEqual({ text: TOP, end: false });
    expect(await u.answer('2')).toEqual({ text: 'Top players - Mombasa:\n1. +2547*****002 40\n0 Back', end: false });
    expect(await u.answer('0')).toEqual({ text: TOP, end: false });
    expect(await u.answer('0')).toEqual({ text: MENU, end: false });
    expect(await u.answer('6')).toEqual({ text: 'Choose your language:\n1 English\n2 हिन्दी\n0 Back', end: false });
    const hindi = await u.answer('2');
    expect(hindi).toEqual({ text: 'हॉपगेट इनाम\n1 चेक-इन\n2 मेरे अंक\n3 टॉप खिलाड़ी\n4 स्किपर\n5 मदद\n6 भाषा', end: false });
    // A new session of the same subscriber opens in Hindi; every Hindi screen fits 80 UCS-2 characters.
    const again = ussdClient(dialect, gw.url, `walk2-${dialect}`, phone);
    expect(await again.start()).toEqual(hindi);
    for (const input of ['4', '123']) expect((await again.answer(input)).text.length).toBeLessThanOrEqual(80);
    expect(await again.answer('0')).toEqual(hindi);
    expect((await again.answer('6')).text).toBe('भाषा चुनें:\n1 English\n2 हिन्दी\n0 पीछे');
    expect(await again.answer('1')).toEqual({ text: MENU, end: false });
  });

  it('a session expires after ussd.sessionTtlSec: the next hop ends politely, or a cumulative path is replayed', async () => {
    const phone = `+2547119300${String(i).padStart(2, '0')}`;
    const u = ussdClient(dialect, short.url, `exp-${dialect}`, phone);
    expect(await u.start()).toEqual({ text: MENU, end: false });
    expect(await u.answer('1')).toEqual({ text: 'Enter the venue code:\n0 Back', end: false });
    await new Promise((r) => setTimeout(r, 1300));
    const late = await u.answer('123');
    if (dialect === 'africastalking') {
      // The whole path arrives with every hop: the session is rebuilt, the check-in made once.
      expect(late).toEqual({ text: 'Checked in at Java House! You earned points.\nSee them in My points shortly.\n0 Menu', end: false });
    } else {
      expect(late).toEqual({ text: 'Your session has expired. Please dial *384# again.', end: true });
    }
  });
});
