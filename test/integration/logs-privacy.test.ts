import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putVenue, startGateway, type TestGateway } from '../helpers/gateway-process.js';

/**
 * What a gateway writes about a busy minute — a whole USSD session, a dial-through, SMS
 * commands, a burst of API check-ins, reads by number, and the notifications the worker pool
 * sends through the log sink — holds no subscriber number in full, no message text, no key;
 * every line of a request and of the events it produced carries the request's id.
 */
let gw: TestGateway;
let dir: string;
let accessLog: string;
const numbers: string[] = [];

/** A Kenyan number no other test uses; remembered so the logs can be searched for it. */
function number(i: number): string {
  const n = `+2547${String(30_000_000 + i * 7919 + (process.pid % 1000)).padStart(8, '0')}`;
  numbers.push(n);
  return n;
}

/** Every spelling of a number a log could carry: E.164, without the plus, national form. */
function spellings(n: string): string[] {
  return [n, n.slice(1), '0' + n.slice(4), encodeURIComponent(n)];
}

/** A GET or POST from a chosen loopback source address (trusted proxy or not). */
function fromAddress(localAddress: string, path: string, headers: Record<string, string>, body?: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: gw.port, path, method: body === undefined ? 'GET' : 'POST', localAddress, headers: { ...headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function waitFor(what: string, ok: () => boolean, ms = 20_000): Promise<void> {
  const until = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'hg-logs-'));
  accessLog = join(dir, 'access.log');
  gw = await startGateway({
    config: {
      pool: { enabled: true, threads: 1, batchMaxWaitMs: 2, recoveryIntervalMs: 500 },
      notify: { sink: { type: 'log' } },
      http: { trustedProxies: ['127.0.0.2'] },
      log: { level: 'info', accessLog },
      ussd: { deadlineMs: 3000 },
    },
  });
  expect((await putVenue(gw, '4321', { name: 'Mama Oliech', city: 'Nairobi' })).status).toBe(201);
});

afterAll(async () => {
  await gw?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('logs and the access log', () => {
  let proxiedId = '';
  let burstIds: string[] = [];
  /** Request ids of the USSD dial-through and the SMS check-in. */
  const channelIds: string[] = [];

  it('runs a busy minute: USSD session and dial-through, SMS, an API burst, reads by number', async () => {
    const ussdPhone = number(1);
    const at = async (sessionId: string, text: string, serviceCode = '*384#') => {
      const res = await fetch(`${gw.url}/ussd/africastalking`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ sessionId, phoneNumber: ussdPhone, serviceCode, text }).toString(),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toMatch(/^[\w-]+$/);
      return res.text();
    };
    expect(await at('lg1', '')).toMatch(/^CON /);
    expect(await at('lg1', '1')).toMatch(/^CON /);
    expect(await at('lg1', '1*4321')).toMatch(/Mama Oliech/);
    expect(await at('lg2', '', '*384*4321#')).toMatch(/^END /);
    const dialPhone = number(2);
    const res = await fetch(`${gw.url}/ussd/africastalking`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ sessionId: 'lg3', phoneNumber: dialPhone, serviceCode: '*384*4321#', text: '' }).toString(),
    });
    expect(await res.text()).toMatch(/^END /);
    channelIds.push(res.headers.get('x-request-id')!);
    const smsPhone = number(3);
    const sms = await fetch(`${gw.url}/sms/kannel?from=${encodeURIComponent(smsPhone)}&to=384&text=${encodeURIComponent('CHECKIN 4321')}`);
    expect(sms.status).toBe(200);
    channelIds.push(sms.headers.get('x-request-id')!);

    // A check-in through a trusted proxy keeps the proxy's id; the same header from an
    // untrusted source is replaced.
    const proxied = await fromAddress('127.0.0.2', '/v1/checkins', { 'x-api-key': gw.clientKey, 'x-request-id': 'lb-7f3a-0001', 'x-forwarded-for': '198.51.100.7' }, JSON.stringify({ msisdn: number(4), venueId: '4321' }));
    expect(proxied.status).toBe(201);
    expect(proxied.headers['x-request-id']).toBe('lb-7f3a-0001');
    proxiedId = 'lb-7f3a-0001';
    const spoofed = await fromAddress('127.0.0.1', '/v1/checkins', { 'x-api-key': gw.clientKey, 'x-request-id': 'spoofed-0001' }, JSON.stringify({ msisdn: number(5), venueId: '4321' }));
    expect(spoofed.status).toBe(201);
    expect(spoofed.headers['x-request-id']).not.toBe('spoofed-0001');

    const burst = await Promise.all(
      Array.from({ length: 60 }, (_, i) => gw.request('POST', '/v1/checkins', { msisdn: number(10 + i), venueId: '4321' })),
    );
    expect(burst.map((r) => r.status)).toEqual(burst.map(() => 201));
    burstIds = burst.map((r) => r.headers.get('x-request-id')!);
    expect(new Set(burstIds).size).toBe(burstIds.length);

    // Reads that put a number in the path or the query, and a failing one with a number in it.
    expect((await gw.request('GET', `/v1/users/${encodeURIComponent(numbers[5]!)}`)).status).toBe(200);
    expect((await gw.request('GET', `/v1/leaderboards/global?around=${encodeURIComponent(numbers[6]!)}`)).status).toBe(200);
    expect((await gw.request('POST', '/v1/checkins', { msisdn: number(100), venueId: 'no-such-venue' })).status).toBe(422);
  });

  it('the worker pool confirms every check-in through the log sink, each line with its request id', async () => {
    await waitFor('a notification line per check-in', () => (gw.output().match(/"msg":"notification"/g) ?? []).length >= 64);
    const lines = gw.output().split('\n').filter((l) => l.includes('"msg":"notification"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const l of lines) {
      expect(l.to).toMatch(/^\+2547\*+\d{3}$/);
      expect(l.text).toBeUndefined();
      expect(l.chars).toBeGreaterThan(0);
    }
    const reqIds = new Set(lines.map((l) => l.reqId));
    expect(reqIds.has(proxiedId)).toBe(true);
    for (const id of [...burstIds, ...channelIds]) expect(reqIds.has(id), `a notification line with reqId ${id}`).toBe(true);
  });

  it('no full number, message text or key appears in the process log or the access log', async () => {
    await gw.stop({ keepData: false });
    const log = gw.output();
    const access = readFileSync(accessLog, 'utf8');
    expect(access.split('\n').length).toBeGreaterThan(70);
    for (const n of numbers) for (const s of spellings(n)) {
      expect(log.includes(s), `process log holds ${s}`).toBe(false);
      expect(access.includes(s), `access log holds ${s}`).toBe(false);
    }
    for (const secret of [gw.clientKey, gw.adminKey, 'CHECKIN', 'Mama Oliech: +']) {
      expect(log.includes(secret), `process log holds ${secret}`).toBe(false);
      expect(access.includes(secret), `access log holds ${secret}`).toBe(false);
    }
  });

  it('the access log is Apache combined: masked paths, the request id and client in ident and user', () => {
    const lines = readFileSync(accessLog, 'utf8').trim().split('\n');
    const combined = /^(\S+) (\S+) (\S+) \[(\d{2}\/\w{3}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000)\] "(\S+) (\S+) HTTP\/1\.1" (\d{3}) (\d+|-) "([^"]*)" "([^"]*)"$/;
    for (const l of lines) expect(l).toMatch(combined);
    const proxied = lines.find((l) => l.split(' ')[1] === proxiedId)!;
    expect(proxied).toMatch(/^198\.51\.100\.7 lb-7f3a-0001 test-client \[/);
    expect(proxied).toMatch(/"POST \/v1\/checkins HTTP\/1\.1" 201 \d+ "-" "-"$/);
    expect(lines.some((l) => /"GET \/v1\/users\/%2B25473\*+\d{3} HTTP/.test(l))).toBe(true);
    expect(lines.some((l) => /"GET \/sms\/kannel\?from=%2B25473\*+\d{3}&to=384&text=\*\*\* HTTP/.test(l))).toBe(true);
  });

  it('GoAccess reads the access log with its stock COMBINED format', () => {
    const report = join(dir, 'report.json');
    execFileSync('goaccess', [accessLog, '--log-format=COMBINED', '--no-global-config', '-o', report], { stdio: 'pipe' });
    const json = JSON.parse(readFileSync(report, 'utf8')) as { general: { total_requests: number; failed_requests: number } };
    const lines = readFileSync(accessLog, 'utf8').trim().split('\n').length;
    expect(json.general.failed_requests).toBe(0);
    expect(json.general.total_requests).toBe(lines);
  });
});
