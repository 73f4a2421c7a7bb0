import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { putVenue, startGateway, type TestGateway } from '../helpers/gateway-process.js';

/**
 * How the gateway protects itself from its callers: floods of unauthenticated probes,
 * bodies that never finish, clients that do not read. Real process, real sockets.
 */
let gw: TestGateway;

beforeAll(async () => {
  gw = await startGateway({ config: { ussd: { vendors: { africastalking: {}, hubtel: {}, truroute: {} } } } });
  expect((await putVenue(gw, '123', { name: 'Mama Oliech', city: 'Nairobi' })).status).toBe(201);
});

afterAll(async () => {
  await gw?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A socket whose answer and close are observable while the test keeps writing. */
function openSocket(port: number): { sock: Socket; received: () => string; closedAt: () => number | null } {
  const sock = connect(port, '127.0.0.1');
  let out = '';
  let closedAt: number | null = null;
  sock.on('data', (d) => (out += d.toString()));
  sock.on('close', () => (closedAt = performance.now()));
  sock.on('error', () => {});
  return { sock, received: () => out, closedAt: () => closedAt };
}

async function until(cond: () => boolean, ms: number): Promise<void> {
  const end = performance.now() + ms;
  while (!cond() && performance.now() < end) await sleep(20);
}

describe('unauthenticated probes', () => {
  it('a flood of /readyz shares its probes: it stays ready and reads still reach MySQL', async () => {
    expect((await gw.request('POST', '/v1/checkins', { msisdn: '0712000001', venueId: '123' })).status).toBe(201);
    const flood: Promise<number>[] = [];
    for (let i = 0; i < 3000; i++) flood.push(fetch(gw.url + '/readyz').then((r) => r.status, () => -1));
    const read = gw.request('GET', '/v1/users/0712000001');
    const statuses = await Promise.all(flood);
    expect((await read).status).toBe(200);
    expect(statuses.filter((s) => s !== 200)).toEqual([]);
  }, 30_000);
});

describe('bodies that never finish', () => {
  const partial = (path: string, headers: string) =>
    `POST ${path} HTTP/1.1\r\nHost: x\r\n${headers}Content-Length: 100\r\n\r\n{"msisdn":`;

  it('the API answers 504 at the deadline and closes the connection, however slowly the body trickles on', async () => {
    const c = openSocket(gw.port);
    c.sock.write(partial('/v1/checkins', `X-Api-Key: ${gw.clientKey}\r\nContent-Type: application/json\r\n`));
    await until(() => c.received().includes('\r\n\r\n{'), 3000);
    const answeredAt = performance.now();
    expect(c.received()).toMatch(/^HTTP\/1\.1 504 /);
    expect(c.received()).toContain('DEADLINE_EXCEEDED');
    // A byte every 100 ms: the connection must not be held for uWS's 10 s idle timeout.
    for (let i = 0; i < 20 && c.closedAt() === null; i++) {
      c.sock.write(' ');
      await sleep(100);
    }
    expect(c.closedAt()).not.toBeNull();
    expect(c.closedAt()! - answeredAt).toBeLessThan(500);
    c.sock.destroy();
  });

  it('USSD answers the busy END at its deadline and closes the connection', async () => {
    const c = openSocket(gw.port);
    c.sock.write(partial('/ussd/africastalking', 'Content-Type: application/x-www-form-urlencoded\r\n'));
    await until(() => c.received().includes('END '), 3000);
    const answeredAt = performance.now();
    expect(c.received()).toMatch(/^HTTP\/1\.1 200 [\s\S]*END Sorry, we are busy/);
    for (let i = 0; i < 20 && c.closedAt() === null; i++) {
      c.sock.write('x');
      await sleep(100);
    }
    expect(c.closedAt()).not.toBeNull();
    expect(c.closedAt()! - answeredAt).toBeLessThan(500);
    c.sock.destroy();
  });

  it('keeps serving: a request after those on a fresh connection is answered', async () => {
    expect((await gw.request('GET', '/healthz')).status).toBe(200);
  });
});

describe('clients that do not read their replies', () => {
  const rssMb = () => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${gw.proc.pid}/status`, 'utf8'))![1]) / 1024;

  it('20,000 pipelined /metrics scrapes never read do not pile up replies in memory', async () => {
    const before = rssMb();
    const c = openSocket(gw.port);
    c.sock.pause(); // reads nothing: replies stay in the socket
    await new Promise((r) => c.sock.once('connect', r));
    const burst = 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(1000);
    for (let i = 0; i < 20 && c.closedAt() === null; i++) {
      c.sock.write(burst);
      await sleep(50);
    }
    let peak = rssMb();
    for (let i = 0; i < 25; i++) {
      await sleep(200);
      peak = Math.max(peak, rssMb());
    }
    c.sock.destroy();
    // Before: every scrape (≈ 14 KB) was rendered and buffered, ≈ +380 MB within seconds,
    // and the process went on rendering the rest after the client had gone.
    expect(peak - before).toBeLessThan(40);
    const t0 = performance.now();
    expect((await gw.request('GET', '/healthz')).status).toBe(200);
    expect(performance.now() - t0).toBeLessThan(1000);
  }, 30_000);

  it('a pipelining client that reads gets every reply, in order', async () => {
    const c = openSocket(gw.port);
    await new Promise((r) => c.sock.once('connect', r));
    c.sock.write('GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(25));
    await until(() => (c.received().match(/HTTP\/1\.1 200 /g) ?? []).length === 50, 5000);
    expect((c.received().match(/HTTP\/1\.1 200 /g) ?? []).length).toBe(50);
    expect((c.received().match(/\{"status":"ok"\}/g) ?? []).length).toBe(25);
    c.sock.destroy();
  });
});

describe('the log under a flood of bad requests', () => {
  it('keeps a few lines per dialect and counts the rest; the metrics count every one', async () => {
    const lines = () => gw.output().split('\n').filter((l) => l.includes('ussd request not usable') && l.includes('"dialect":"hubtel"'));
    const before = lines().length;
    const N = 300;
    for (let i = 0; i < N; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, () =>
          fetch(`${gw.url}/ussd/hubtel`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{not json' }).then((r) => r.status),
        ),
      );
    }
    const logged = lines().slice(before);
    expect(logged.length).toBeGreaterThan(0);
    expect(logged.length).toBeLessThanOrEqual(20);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    const counted = Number(/hopgate_ussd_replies_total\{[^}]*dialect="hubtel"[^}]*outcome="malformed"[^}]*\} (\d+)/.exec(metrics)?.[1] ?? 0);
    expect(counted).toBeGreaterThanOrEqual(N);
  });
});

describe('operations endpoints behind a source allow-list (http.opsAllowFrom)', () => {
  it('answers /metrics and /readyz only to listed sources; /healthz stays open', async () => {
    const closed = await startGateway({ config: { http: { opsAllowFrom: ['10.0.0.0/8'] } } });
    const open = await startGateway({ config: { http: { opsAllowFrom: ['127.0.0.0/8', '::1'] } } });
    try {
      for (const path of ['/metrics', '/readyz']) {
        const refused = await fetch(`${closed.url}${path}`);
        expect(refused.status).toBe(403);
        expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('SOURCE_FORBIDDEN');
        expect((await fetch(`${open.url}${path}`)).status).toBe(200);
      }
      expect((await fetch(`${closed.url}/healthz`)).status).toBe(200);
    } finally {
      await Promise.all([closed.stop(), open.stop()]);
    }
  });
});
