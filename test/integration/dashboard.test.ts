import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putVenue, startGateway, type TestGateway } from '../helpers/gateway-process.js';
import { startSites } from '../helpers/sync-sites.js';

/**
 * The live dashboard in a real browser (Debian's chromium, driven by playwright-core): the
 * page loads, asks for the admin key, connects over the WebSocket, and its figures move when
 * check-ins arrive. The screenshot lands in test-artifacts/ (ignored by git).
 */
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

let gw: TestGateway;
let browser: Browser;

beforeAll(async () => {
  gw = await startGateway({
    config: {
      pool: { enabled: true, threads: 1, batchMaxWaitMs: 2 },
      notify: { sink: { type: 'log' } },
      ussd: { deadlineMs: 3000 },
    },
  });
  for (const [id, name] of [['4321', 'Mama Oliech'], ['4322', 'Java House Kimathi'], ['4323', 'Kilimanjaro Jamia']] as const) {
    expect((await putVenue(gw, id, { name, city: 'Nairobi' })).status).toBe(201);
  }
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
});

afterAll(async () => {
  await browser?.close();
  await gw?.stop();
});

/** A bounded burst of check-ins (API and USSD dial-throughs) spread over the three venues. */
async function traffic(rounds: number, first = 0): Promise<void> {
  for (let r = first; r < first + rounds; r++) {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) => gw.request('POST', '/v1/checkins', { msisdn: `+25472${String(r * 100 + i).padStart(7, '0')}`, venueId: i % 3 === 0 ? '4322' : '4321' })),
    );
    const body = new URLSearchParams({ sessionId: `dash-${r}`, phoneNumber: `+25473${String(r).padStart(7, '0')}`, serviceCode: '*384*4323#', text: '' });
    await fetch(`${gw.url}/ussd/africastalking`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() });
    await new Promise((res) => setTimeout(res, 100));
  }
}

/** Opens the dashboard of `site` and connects with its admin key. */
async function openDashboard(site: TestGateway, viewport?: { width: number; height: number }): Promise<Page> {
  const page = await browser.newPage(viewport ? { viewport } : {});
  await page.goto(`${site.url}/dashboard`);
  await page.fill('#key', site.adminKey);
  await page.click('#login button');
  await waitText(page, 'status', (t) => t === 'live');
  return page;
}

async function text(page: Page, id: string): Promise<string> {
  return (await page.textContent(`#${id}`)) ?? '';
}

/** Polls an element's text (from the test side: the page is not scripted) until `ok` holds. */
async function waitText(page: Page, id: string, ok: (t: string) => boolean, ms = 15_000): Promise<string> {
  const until = Date.now() + ms;
  for (;;) {
    const t = await text(page, id);
    if (ok(t)) return t;
    if (Date.now() > until) throw new Error(`#${id} never satisfied the wait; last text: ${t}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('dashboard', () => {
  it('refuses a key that is not an admin key, and shows why', async () => {
    const page = await browser.newPage();
    await page.goto(`${gw.url}/dashboard`);
    await page.fill('#key', gw.clientKey);
    await page.click('#login button');
    await waitText(page, 'login-error', (t) => t !== '');
    expect(await text(page, 'login-error')).toMatch(/not an admin key/);
    expect(await page.isHidden('#board')).toBe(true);
    await page.close();
  });

  it('connects with the admin key and its figures move when check-ins arrive', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 860 } });
    const res = await page.goto(`${gw.url}/dashboard`);
    expect(res?.status()).toBe(200);
    expect(res?.headers()['content-security-policy']).toMatch(/connect-src 'self'/);
    await page.fill('#key', gw.adminKey);
    await page.click('#login button');
    await waitText(page, 'status', (t) => t === 'live');
    // A first snapshot while idle: no check-ins yet.
    await waitText(page, 'updated', (t) => t !== '');
    expect(await text(page, 'checkins-rate')).toBe('0');
    expect(await text(page, 'peers')).toMatch(/no peers/);

    await traffic(12);
    // The rate is per second: once the traffic stopped it falls back; the history keeps it.
    const spark = () => page.$eval('#checkins-spark path', (p) => p.getAttribute('d') ?? '');
    // One point a second: on a busy box the first seconds of history may still be arriving.
    for (let i = 0; i < 150 && (await spark()).split('L').length <= 3; i++) await new Promise((r) => setTimeout(r, 100));
    const sparkPoints = await spark();
    expect(sparkPoints.split('L').length).toBeGreaterThan(3);
    expect(sparkPoints).not.toMatch(/^M[\d.]+,58\.0( L[\d.]+,58\.0)*$/); // not a flat zero line
    await waitText(page, 'venues', (t) => t.includes('Mama Oliech'), 20_000);
    const venues = await text(page, 'venues');
    expect(venues.indexOf('Mama Oliech')).toBeLessThan(venues.indexOf('Java House Kimathi'));
    expect(venues).toContain('Kilimanjaro Jamia');

    // Keep the channel table busy while it is read, and take the screenshot mid-traffic.
    // (bounded: at most 200 rounds, stopped as soon as the page has been read).
    let keepBusy = true;
    const busy = (async () => {
      for (let r = 100; keepBusy && r < 300; r++) await traffic(1, r);
    })();
    try {
      await waitText(page, 'checkins-rate', (t) => Number(t.replace(/,/g, '')) > 0);
      await waitText(page, 'channels', (t) => t.includes('africastalking'));
      // Latency is of the last second's requests: read while they flow.
      await waitText(page, 'latency-p99', (t) => /^\d/.test(t));
      expect(await text(page, 'channels')).toMatch(/app.*api/);
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: join(ARTIFACTS, 'dashboard.png'), fullPage: true });
    } finally {
      keepBusy = false;
      await busy;
    }
    await page.close();
  });

  it('shows each sync peer with its lag, backlog and breaker', async () => {
    const [nbo, kla] = await startSites([
      { siteId: 'nbo', siteNumber: 11 },
      { siteId: 'kla', siteNumber: 12 },
    ]);
    try {
      const page = await openDashboard(nbo!);
      const peers = await waitText(page, 'peers', (t) => t.includes('kla'));
      expect(peers).toMatch(/kla\s*[\d.]+\s*\d+\s*closed/);
      await page.close();
    } finally {
      await Promise.all([nbo?.stop(), kla?.stop()]);
    }
  });
});
