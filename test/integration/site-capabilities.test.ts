import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putVenue, runCli, startGateway, type TestGateway } from '../helpers/gateway-process.js';

// Site capabilities are enforced (issue 13): a site without `checkin`, `ussd` or `sms`
// refuses what it does not do with a clear code, and start-up refuses a deployment view
// that breaks "exactly one site holds points".

let gw: TestGateway;

beforeAll(async () => {
  // A points-only site (a lone one: no peers, so no pointsSite needed).
  gw = await startGateway({ config: { capabilities: ['points', 'notify'] } });
  expect((await putVenue(gw, 'C1', { name: 'Cap Cafe', city: 'Nairobi' })).status).toBe(201);
});

afterAll(async () => {
  await gw?.stop();
});

describe('capabilities', () => {
  it('refuses check-ins at a site without checkin: 403 CAPABILITY_DISABLED, nothing written', async () => {
    const r = await gw.request('POST', '/v1/checkins', { msisdn: '0712000001', venueId: 'C1' });
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('CAPABILITY_DISABLED');
    // The API key is still checked first.
    const anon = await gw.request('POST', '/v1/checkins', { msisdn: '0712000001', venueId: 'C1' }, { 'x-api-key': 'nope' });
    expect(anon.json.error.code).toBe('UNAUTHENTICATED');
    // Reads still work here.
    expect((await gw.request('GET', '/v1/venues/C1')).status).toBe(200);
    expect((await gw.request('GET', '/v1/users/0712000001')).json.error.code).toBe('USER_NOT_FOUND');
  });

  it('answers USSD and SMS routes with 404 CHANNEL_DISABLED at a site without ussd / sms', async () => {
    const ussd = await fetch(`${gw.url}/ussd/africastalking`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'sessionId=s1&phoneNumber=%2B254712000002&serviceCode=*384*1%23&text=',
    });
    expect(ussd.status).toBe(404);
    expect(((await ussd.json()) as { error: { code: string; message: string } }).error).toEqual({
      code: 'CHANNEL_DISABLED',
      message: 'this site does not offer USSD (capability ussd)',
    });
    const flares = await fetch(`${gw.url}/ussd/flares?msisdn=254712000002`);
    expect(flares.status).toBe(404);
    const sms = await fetch(`${gw.url}/sms/kannel?from=%2B254712000002&text=POINTS`);
    expect(sms.status).toBe(404);
    expect(((await sms.json()) as { error: { code: string } }).error.code).toBe('CHANNEL_DISABLED');
  });
});

describe('start-up refuses a deployment without exactly one points site', () => {
  it('exits 78 naming pointsSite when a site without points has peers but names no points site', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hg-caps-'));
    try {
      const file = join(dir, 'site.json');
      writeFileSync(
        file,
        JSON.stringify({
          ...gw.config,
          capabilities: ['checkin', 'notify'],
          peers: [{ siteId: 'nbo', url: 'http://127.0.0.1:9', secret: 's'.repeat(32) }],
        }),
      );
      const r = await runCli(['serve', '--config', file]);
      expect(r.code).toBe(78);
      expect(r.out).toContain('pointsSite: this site does not hold points: name the peer that does');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
