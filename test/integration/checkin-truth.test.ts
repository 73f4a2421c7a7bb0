import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalCalendar, dayNumberToIso } from '../../src/core/time.js';
import { MYSQL } from '../helpers/env.js';
import { waitFor } from '../helpers/events-pool.js';
import { putVenue, startGateway, type TestGateway } from '../helpers/gateway-process.js';
import { DIALECT_NAMES, ussdClient, type UssdClient } from './ussd/dialect-clients.js';

/**
 * What every channel tells a subscriber is what the ledger then holds. A real gateway with
 * its worker pool walks check-ins through the API, every USSD dialect and SMS: a first
 * visit on a streak (base + first-visit + streak bonus), a repeat visit the same day, and
 * two more venues that run into the daily cap. After each check-in the pool settles; the
 * reply, the confirmation SMS (file sink) and the ledger are compared.
 */
const dir = mkdtempSync(join(tmpdir(), 'hg-truth-'));
const notifyFile = join(dir, 'notifications.jsonl');
let gw: TestGateway;
let db: mysql.Pool;

const VENUES = [
  { id: 'T1', code: '301', name: 'Alpha Cafe' },
  { id: 'T2', code: '302', name: 'Beta Bar' },
  { id: 'T3', code: '303', name: 'Gamma Grill' },
] as const;
/** base 10, first visit 20, streak 5 per earlier day, cap 50 a day. */
const RULES = { base: 10, firstVisitBonus: 20, streakBonusPerDay: 5, streakMaxDays: 6, skipperBonus: 5, dailyCap: 50 };

beforeAll(async () => {
  gw = await startGateway({
    config: {
      notify: { sink: { type: 'file', path: notifyFile } },
      pool: { enabled: true, recoveryIntervalMs: 100, recoveryGraceMs: 0 },
      points: RULES,
      // IMImobile has no session id: a second dial within the resend window would be a resend.
      ussd: { deadlineMs: 5000, resendWindowMs: 0 },
      sms: { deadlineMs: 5000 },
      http: { requestDeadlineMs: 5000 },
    },
  });
  for (const v of VENUES) expect((await putVenue(gw, v.id, { name: v.name, city: 'Nairobi', code: v.code })).status).toBe(201);
  db = mysql.createPool({ ...MYSQL, database: gw.database, connectionLimit: 2, supportBigNumbers: true, bigNumberStrings: true });
});

afterAll(async () => {
  await db?.end();
  await gw?.stop();
  rmSync(dir, { recursive: true, force: true });
});

type Channel = 'api' | 'sms' | (typeof DIALECT_NAMES)[number];
const imiClients = new Map<string, UssdClient>();
const CHANNELS: readonly Channel[] = ['api', ...DIALECT_NAMES, 'sms'];

/** One check-in through `channel`; the reply's text (and the API's points object). */
async function checkIn(channel: Channel, msisdn: string, code: string, n: number): Promise<{ text: string; points?: Record<string, unknown> }> {
  if (channel === 'api') {
    const venueId = VENUES.find((v) => v.code === code)!.id;
    const r = await gw.request('POST', '/v1/checkins', { msisdn, venueId });
    expect(r.status).toBe(201);
    return { text: r.json.message, points: r.json.points };
  }
  if (channel === 'sms') {
    const q = new URLSearchParams({ from: msisdn.slice(1), to: '384', text: `CHECKIN ${code}`, id: `${msisdn}-${n}` });
    const r = await fetch(`${gw.url}/sms/kannel?${q}`);
    expect(r.status).toBe(200);
    return { text: await r.text() };
  }
  // IMImobile keys sessions on the MSISDN and tells hops apart by `tid`: one client per
  // subscriber, as its gateway keeps counting; the others get a new session id per dial.
  let client = channel === 'imimobile' ? imiClients.get(msisdn) : undefined;
  if (client === undefined) {
    client = ussdClient(channel, gw.url, `${channel}-${msisdn}-${n}`, msisdn);
    if (channel === 'imimobile') imiClients.set(msisdn, client);
  }
  const screen = await client.start(`*384*${code}#`);
  expect(screen.end).toBe(true);
  return { text: screen.text };
}

interface Settled {
  readonly checkinId: string;
  readonly rewarded: boolean;
  /** This check-in's points in the ledger. */
  readonly awarded: number;
  /** The user's total in MySQL. */
  readonly total: number;
  /** The confirmation SMS of this check-in. */
  readonly sms: string;
}

/** Waits until the pool has done all of the latest check-in's work, then reads what it did. */
async function settled(msisdn: string): Promise<Settled> {
  const [rows] = await db.query(
    `SELECT CAST(c.id AS CHAR) AS id, r.checkin_id IS NOT NULL AS rewarded FROM checkins c
       LEFT JOIN reward_days r ON r.checkin_id = c.id WHERE c.msisdn = ? ORDER BY c.id DESC LIMIT 1`,
    [msisdn],
  );
  const { id, rewarded } = (rows as Array<{ id: string; rewarded: number }>)[0]!;
  let sms: string | undefined;
  await waitFor(
    async () => {
      const [w] = await db.query('SELECT pending FROM checkin_work WHERE checkin_id = ?', [id]);
      if (Number((w as Array<{ pending: number }>)[0]!.pending) !== 0) return false;
      sms = notifications().get(`${id}:checkin`);
      return sms !== undefined;
    },
    20_000,
    `the pool to settle check-in ${id}`,
  );
  const [l] = await db.query('SELECT COALESCE(SUM(points), 0) AS p FROM points_ledger WHERE checkin_id = ?', [id]);
  const [t] = await db.query('SELECT total FROM user_totals WHERE msisdn = ?', [msisdn]);
  return {
    checkinId: id,
    rewarded: rewarded === 1,
    awarded: Number((l as Array<{ p: string }>)[0]!.p),
    total: Number((t as Array<{ total: string }>)[0]?.total ?? 0),
    sms: sms!,
  };
}

function notifications(): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of readFileSafe(notifyFile).split('\n')) {
    if (line.length === 0) continue;
    const m = JSON.parse(line) as { key: string; text: string };
    out.set(m.key, m.text);
  }
  return out;
}

/** Every figure a reply states as points or a total: `+10 points`, `Total 40 points`. */
function statedFigures(text: string): { awarded: number[]; totals: number[] } {
  return {
    awarded: [...text.matchAll(/\+(\d+) points/g)].map((m) => Number(m[1])),
    totals: [...text.matchAll(/Total:? (\d+)/g)].map((m) => Number(m[1])),
  };
}

describe('what a subscriber is told is what the ledger holds, on every channel', () => {
  it.each(CHANNELS.map((c, i) => [c, i] as const))('%s: first visit on a streak, repeat visit, daily cap', async (channel, i) => {
    const msisdn = `+2547110090${String(i).padStart(2, '0')}`;
    // Rewarded check-ins on the two local days before today (another venue): a 2-day streak.
    const today = new LocalCalendar('Africa/Nairobi').dayNumber(Date.now());
    for (const d of [1, 2]) {
      await db.query('INSERT INTO reward_days (msisdn, venue_id, day, checkin_id) VALUES (?, ?, ?, ?)', [msisdn, 'OLD', dayNumberToIso(today - d), 9_000_000 + i * 10 + d]);
    }

    // 1. First visit to T1 on a 2-day streak: 10 + 20 + 2×5 = 40, decided by the ledger.
    const first = await checkIn(channel, msisdn, '301', 1);
    const s1 = await settled(msisdn);
    expect(s1).toMatchObject({ rewarded: true, awarded: 40, total: 40 });
    expectPendingReply(first, 'Alpha Cafe');
    expect(s1.sms).toBe('Checked in at Alpha Cafe: +40 points. Total: 40.');

    // 2. Repeat visit to T1 the same day: nothing earned; the reply's total is the ledger's.
    const repeat = await checkIn(channel, msisdn, '301', 2);
    const s2 = await settled(msisdn);
    expect(s2).toMatchObject({ rewarded: false, awarded: 0, total: 40 });
    // The API's message states no figure: its points object does.
    expect(statedFigures(repeat.text)).toEqual({ awarded: [], totals: repeat.points ? [] : [s2.total] });
    expect(repeat.text).toMatch(/already rewarded/i);
    if (repeat.points) expect(repeat.points).toMatchObject({ kind: 'none', awarded: 0, confirmedBySms: false, total: s2.total, stale: false });
    expect(s2.sms).toBe('Checked in at Alpha Cafe. You were already rewarded there today.');

    // 3. First visit to T2: 40 earned, the cap (50) leaves 10.
    const capped = await checkIn(channel, msisdn, '302', 3);
    const s3 = await settled(msisdn);
    expect(s3).toMatchObject({ rewarded: true, awarded: 10, total: 50 });
    expectPendingReply(capped, 'Beta Bar');
    expect(s3.sms).toBe('Checked in at Beta Bar: +10 points. Total: 50.');

    // 4. T3 the same day: rewarded (first there today) but the cap leaves nothing.
    const full = await checkIn(channel, msisdn, '303', 4);
    const s4 = await settled(msisdn);
    expect(s4).toMatchObject({ rewarded: true, awarded: 0, total: 50 });
    expectPendingReply(full, 'Gamma Grill');
    expect(s4.sms).toBe("Checked in at Gamma Grill. No points this time: you reached today's limit. Total: 50.");
  });
});

/**
 * A rewarded check-in's reply names no award (the ledger decides it after the reply) and
 * no total beside it; it says the confirmation SMS will state both.
 */
function expectPendingReply(reply: { text: string; points?: Record<string, unknown> }, venue: string): void {
  expect(reply.text).toContain(venue);
  expect(statedFigures(reply.text)).toEqual({ awarded: [], totals: [] });
  expect(reply.text).toMatch(/SMS will (say|tell you) (how many|the points) and your new total/);
  if (reply.points) expect(reply.points).toMatchObject({ kind: 'pending', awarded: null, confirmedBySms: true });
}

describe('a site that does not compute points', () => {
  let site: TestGateway;
  beforeAll(async () => {
    site = await startGateway({
      config: {
        // Points are computed at another site: this one cannot know an award.
        capabilities: ['checkin', 'ussd', 'sms', 'notify'],
        notify: { sink: { type: 'file', path: join(dir, 'other-site.jsonl') } },
        ussd: { deadlineMs: 5000 },
        sms: { deadlineMs: 5000 },
      },
    });
    expect((await putVenue(site, 'T1', { name: 'Alpha Cafe', city: 'Nairobi', code: '301' })).status).toBe(201);
  });
  afterAll(async () => {
    await site?.stop();
  });

  it('says only that the check-in was rewarded, on every channel, and promises no SMS with figures', async () => {
    const api = await site.request('POST', '/v1/checkins', { msisdn: '+254711009101', venueId: 'T1' });
    expect(api.json.points).toEqual({ kind: 'pending', awarded: null, confirmedBySms: false, total: 0, rank: null, stale: false });
    expect(api.json.message).toBe('Checked in at Alpha Cafe: rewarded. Your points are added shortly.');
    const ussd = await ussdClient('africastalking', site.url, 'np-1', '+254711009102').start('*384*301#');
    expect(ussd).toEqual({ end: true, text: 'Checked in at Alpha Cafe! You earned points.\nSee them in My points shortly.' });
    const sms = await fetch(`${site.url}/sms/kannel?${new URLSearchParams({ from: '254711009103', to: '384', text: 'CHECKIN 301' })}`);
    expect(await sms.text()).toBe('Checked in at Alpha Cafe! You earned points. Send POINTS in a minute to see them.');
  });
});

function readFileSafe(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
