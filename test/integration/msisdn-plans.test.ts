import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mysqlAdmin } from '../helpers/env.js';
import { putVenue, startGateway, type TestGateway } from '../helpers/gateway-process.js';
import { DIALECT_NAMES, ussdClient } from './ussd/dialect-clients.js';

/**
 * Numbers are read with the numbering plans on every channel of a site whose
 * `defaultCountryCode` is 254: another country's number in international form without a
 * plus stays that country's subscriber; a number valid in no plan is refused, in each
 * channel's own way; a dialect's `countryCode` still decides national forms.
 */
let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway({
    config: {
      // Ugandan telcos behind TruRoute and IMImobile; IMImobile re-dials are new dials at once.
      ussd: { deadlineMs: 5000, resendWindowMs: 0, vendors: { truroute: { countryCode: '256' }, imimobile: { countryCode: '256' } } },
    },
  });
  expect((await putVenue(gw, 'P1', { name: 'Plan Cafe', city: 'Nairobi', code: '401' })).status).toBe(201);
});

afterAll(async () => {
  await gw?.stop();
});

async function storedMsisdns(): Promise<string[]> {
  const db = await mysqlAdmin(gw.database);
  try {
    const [rows] = await db.query('SELECT DISTINCT msisdn FROM checkins ORDER BY msisdn');
    return (rows as Array<{ msisdn: string }>).map((r) => r.msisdn);
  } finally {
    await db.end();
  }
}

const INVALID = '2547123456789'; // one digit too many for Kenya, and valid in no other plan

describe('MSISDNs and the numbering plans', () => {
  it('API: foreign numbers keep their country; a number valid in no plan is 422 naming msisdn', async () => {
    for (const [raw, e164] of [
      ['233241234567', '+233241234567'],
      ['264811234567', '+264811234567'],
      ['919912345678', '+919912345678'],
      ['0712345678', '+254712345678'],
    ]) {
      const r = await gw.request('POST', '/v1/checkins', { msisdn: raw, venueId: 'P1' });
      expect(r.status, raw).toBe(201);
      expect(r.json.checkin.msisdn).toBe(e164);
    }
    const bad = await gw.request('POST', '/v1/checkins', { msisdn: INVALID, venueId: 'P1' });
    expect(bad.status).toBe(422);
    expect(bad.json.error).toMatchObject({ code: 'VALIDATION_FAILED', field: 'msisdn' });
    expect(bad.json.error.message).toMatch(/not a valid mobile number/);
  });

  it('USSD: a Ghanaian number stays Ghanaian, a dialect country code reads national forms, an invalid number gets a polite END', async () => {
    expect((await ussdClient('africastalking', gw.url, 'gh-1', '233241234560').start('*384*401#')).end).toBe(true);
    // TruRoute's telco is Ugandan here (countryCode 256): its national form is read there.
    expect((await ussdClient('truroute', gw.url, 'ug-1', '0712345670').start('*384*401#')).end).toBe(true);
    for (const dialect of DIALECT_NAMES) {
      const screen = await ussdClient(dialect, gw.url, `bad-${dialect}`, INVALID).start('*384*401#');
      expect(screen, dialect).toEqual({ end: true, text: 'Sorry, this service is not available for your number.' });
    }
    // Valid in Kenya's plan but not in Uganda's: refused, not read again in the site's country.
    expect(await ussdClient('truroute', gw.url, 'ug-2', '0110123456').start('*384*401#')).toEqual({ end: true, text: 'Sorry, this service is not available for your number.' });
    const stored = await storedMsisdns();
    expect(stored).not.toContain('+254110123456');
    expect(stored).toContain('+233241234560');
    expect(stored).toContain('+256712345670');
    expect(stored.some((m) => m.includes('2547123456789'))).toBe(false);
  });

  it('IMImobile with its own country code: each dial-through of a subscriber is its own check-in', async () => {
    const imi = ussdClient('imimobile', gw.url, 'unused', '0772123456');
    for (let n = 0; n < 2; n++) expect((await imi.start('*384*401#')).end).toBe(true);
    const db = await mysqlAdmin(gw.database);
    try {
      const [rows] = await db.query("SELECT COUNT(*) AS n FROM checkins WHERE msisdn = '+256772123456'");
      expect(Number((rows as Array<{ n: string }>)[0]!.n)).toBe(2);
    } finally {
      await db.end();
    }
  });

  it('SMS: an Indian number checks in as Indian; an invalid number gets a clear reply', async () => {
    const send = async (from: string) => (await fetch(`${gw.url}/sms/kannel?${new URLSearchParams({ from, to: '384', text: 'CHECKIN 401' })}`)).text();
    expect(await send('919912345670')).toMatch(/^Checked in at Plan Cafe!/);
    expect(await send(INVALID)).toBe('Sorry, this service is not available for your number.');
    expect(await storedMsisdns()).toContain('+919912345670');
  });
});
