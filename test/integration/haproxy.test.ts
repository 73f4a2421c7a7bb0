import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MYSQL } from '../helpers/env.js';
import { putVenue, startGateway, type TestGateway } from '../helpers/gateway-process.js';
import { rawRequest } from '../helpers/raw-http.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

/**
 * deploy/haproxy.cfg, as shipped, in front of two real gateways of one site: its HTTP/1.1
 * health checks find both ready, check-ins go through, and a node whose /readyz answers
 * 503 (here: its MySQL link is cut) is drained while the other serves every check-in.
 * HAProxy comes from Debian's package (scripts/ensure-haproxy.sh installs it if missing).
 */
const ROOT = join(import.meta.dirname, '..', '..');
let a: TestGateway;
let b: TestGateway;
let mysqlA: TcpProxy;
let haproxy: ChildProcess;
let haproxyOut = '';
let front = 0;
let stats = 0;

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Server name → HAProxy's status of it (UP, DOWN, "UP 1/2" …), from its CSV stats. */
async function serverStatus(): Promise<Map<string, string>> {
  const csv = await (await fetch(`http://127.0.0.1:${stats}/stats;csv`)).text();
  const [header, ...lines] = csv.trim().split('\n');
  const cols = header!.replace(/^# /, '').split(',');
  const sv = cols.indexOf('svname');
  const st = cols.indexOf('status');
  const out = new Map<string, string>();
  for (const line of lines) {
    const f = line.split(',');
    if (f[0] === 'hopgate_nodes') out.set(f[sv]!, f[st]!);
  }
  return out;
}

async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > end) throw new Error(`${what} did not happen in ${timeoutMs} ms; haproxy said:\n${haproxyOut}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function checkIn(msisdn: string): Promise<{ status: number; body: string }> {
  return fetch(`http://127.0.0.1:${front}/v1/checkins`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': a.clientKey },
    body: JSON.stringify({ msisdn, venueId: 'V1' }),
  }).then(async (r) => ({ status: r.status, body: await r.text() }));
}

beforeAll(async () => {
  execFileSync('bash', [join(ROOT, 'scripts', 'ensure-haproxy.sh')], { stdio: 'inherit', timeout: 600_000 });
  mysqlA = new TcpProxy(MYSQL.port);
  await mysqlA.start();
  a = await startGateway({ config: { mysql: { port: mysqlA.port, connectTimeoutMs: 300, queryTimeoutMs: 500 } } });
  // The second process of the site: same database, Redis prefix and keys.
  b = await startGateway({ database: a.database, redisPrefix: a.redisPrefix, skipMigrate: true, config: { auth: a.config.auth } });
  expect((await putVenue(a, 'V1', { name: 'Kiosk', city: 'Nairobi' })).status).toBe(201);
  await until('node b knows V1', async () => (await b.request('GET', '/v1/venues/V1', undefined, { 'x-api-key': a.clientKey })).status === 200);
  [front, stats] = [await freePort(), await freePort()];
  haproxy = spawn('haproxy', ['-db', '-f', join(ROOT, 'deploy', 'haproxy.cfg')], {
    env: {
      ...process.env,
      HOPGATE_LISTEN: `127.0.0.1:${front}`,
      HOPGATE_NODE_A: `127.0.0.1:${a.port}`,
      HOPGATE_NODE_B: `127.0.0.1:${b.port}`,
      HOPGATE_STATS: `127.0.0.1:${stats}`,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  haproxy.stdout!.on('data', (d: Buffer) => (haproxyOut += d.toString()));
  haproxy.stderr!.on('data', (d: Buffer) => (haproxyOut += d.toString()));
  await until('haproxy serving its stats', () => serverStatus().then(() => true, () => false));
}, 660_000);

afterAll(async () => {
  if (haproxy && haproxy.exitCode === null) {
    const exited = new Promise((r) => haproxy.once('exit', r));
    haproxy.kill('SIGTERM');
    await exited;
  }
  await b?.stop({ keepData: true });
  await a?.stop();
  await mysqlA?.stop();
});

describe('deploy/haproxy.cfg in front of two gateways', () => {
  it('HTTP/1.1 health checks mark both nodes up; check-ins go through; an HTTP/1.0 client gets 505 at once', async () => {
    await until('both nodes UP', async () => {
      const s = await serverStatus();
      return s.get('node_a') === 'UP' && s.get('node_b') === 'UP';
    });
    for (let i = 0; i < 4; i++) expect((await checkIn(`+25473800000${i}`)).status).toBe(201);
    // A 1.0 client, which the gateway alone leaves hanging, gets a clear answer at once.
    const raw = await rawRequest(front, (s) => s.write('GET /healthz HTTP/1.0\r\n\r\n'), 5000);
    expect(raw).toMatch(/^HTTP\/1\.[01] 505 /);
    expect(raw).toContain('hopgate speaks HTTP/1.1 only');
  });

  it('drains a node whose /readyz answers 503, and takes it back when it is ready again', async () => {
    mysqlA.set('refuse'); // node a cannot reach MySQL: its /readyz answers 503
    expect((await a.request('GET', '/readyz')).status).toBe(503);
    await until('node_a DOWN', async () => (await serverStatus()).get('node_a') === 'DOWN');
    expect((await serverStatus()).get('node_b')).toBe('UP');
    // Every check-in now goes to node b, and commits.
    for (let i = 0; i < 6; i++) {
      const res = await checkIn(`+25473800010${i}`);
      expect(res.status, res.body).toBe(201);
    }
    mysqlA.set('pass');
    await until('node_a UP again', async () => (await serverStatus()).get('node_a') === 'UP');
  });
});
