import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeScore, readModelKeys } from '../../src/core/leaderboard.js';
import { mysqlAdmin, REDIS } from '../helpers/env.js';
import { startGateway, type TestGateway } from '../helpers/gateway-process.js';
import { DIALECT_NAMES, ussdClient } from './ussd/dialect-clients.js';
import { putUssdVenues } from './ussd/venues.js';

/**
 * The same whole session, in every dialect, over HTTP against a real gateway: menu,
 * leaderboard paging and back, check-in with the hop resent (sequentially and
 * concurrently) — exactly one row in MySQL — then my points; and dial-through.
 */
let gw: TestGateway;

const MENU = 'Hopgate rewards\n1 Check in\n2 My points\n3 Top players\n4 Venue skipper\n5 Help\n6 Language';
const TOP = 'Top players\n1 Global\n2 My city\n3 This week\n0 Back';

beforeAll(async () => {
  // A generous USSD deadline: on a loaded test box a check-in must not turn into "busy".
  gw = await startGateway({ config: { ussd: { deadlineMs: 3000 } } });
  await putUssdVenues(gw);
  const redis = new Redis({ ...REDIS, keyPrefix: gw.redisPrefix, lazyConnect: true, maxRetriesPerRequest: 1 });
  await redis.connect();
  for (let i = 0; i < 25; i++) await redis.zadd(readModelKeys.board('global', ''), encodeScore(9000 - i, Date.now()), `+2547980000${String(i).padStart(2, '0')}`);
  redis.disconnect();
});

afterAll(async () => {
  await gw?.stop();
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
    expect(done).toEqual({ text: 'Checked in at Café "Zanzibar" - Old Town Rooftop Terrace and Shisha Lounge! +10 points.\nTotal 0 points.\n0 Menu', end: false });
    expect(await u.resend()).toEqual(done);
    const again = await Promise.all([u.resend(), u.resend()]);
    expect(again).toEqual([done, done]);
    expect(await rows(phone)).toEqual([{ client_id: `ussd:${dialect}`, venue_id: 'v-555' }]);
    expect(await u.answer('0')).toEqual({ text: MENU, end: false });
    expect(await u.answer('2')).toEqual({ text: 'You have no points yet. Check in at a venue to earn points!\n0 Back', end: false });
  });

  it('dial-through checks in once and ends', async () => {
    const phone = `+2547119100${String(i).padStart(2, '0')}`;
    const u = ussdClient(dialect, gw.url, `dial-${dialect}`, phone);
    const first = await u.start('*384*123#');
    expect(first).toEqual({ text: 'Checked in at Java House! +10 points.\nTotal 0 points.', end: true });
    expect(await u.resend()).toEqual(first);
    expect(await rows(phone)).toHaveLength(1);
  });
});
