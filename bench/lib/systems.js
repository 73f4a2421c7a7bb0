// The systems `npm run bench` compares, each in its own process(es) on its own database
// and Redis prefix: hopgate (request path: event pool off; end to end: pool on), the
// conventional stack (Fastify + mysql2 + BullMQ, bench/baselines/conventional/), the
// durable-write ceiling and the two echo ceilings. `stop()` drops what they created.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { Queue } from 'bullmq';
import { freePort } from './link-proxy.js';
import { createConventionalDatabase } from '../baselines/conventional/setup.js';
import { dropBenchData, mysqlSocket, ROOT, spawnListening, startBenchGateway } from './processes.js';

export const VENUES = 10_000;
const BASELINES = join(ROOT, 'bench', 'baselines');

async function stopProc(p) {
  p.proc.kill('SIGTERM');
  await Promise.race([p.exited, new Promise((r) => setTimeout(r, 10_000))]);
  p.proc.kill('SIGKILL');
}

/** A bare echo: `bench/echo-server.js` (uWS) or `bench/baselines/node-echo.js`. */
export async function startEcho(kind) {
  const script = kind === 'uws' ? join(ROOT, 'bench', 'echo-server.js') : join(BASELINES, 'node-echo.js');
  const p = spawnListening([script, '0']);
  return { port: await p.port, pids: () => [p.proc.pid], stop: () => stopProc(p) };
}

export async function startDurableCeiling() {
  const database = `hg_bench_ceiling_${process.pid}_${randomBytes(3).toString('hex')}`;
  const c = await mysql.createConnection({ host: '127.0.0.1', user: 'root', password: '' });
  await c.query(`CREATE DATABASE \`${database}\``);
  await c.end();
  const p = spawnListening([join(BASELINES, 'durable-ceiling.js'), '0'], { DATABASE: database, MYSQL_SOCKET: (await mysqlSocket()) ?? '' });
  return {
    port: await p.port,
    database,
    pids: () => [p.proc.pid],
    async stop() {
      await stopProc(p);
      await dropBenchData(database, `${database}:`);
    },
  };
}

/** The conventional stack: the Fastify server now, its BullMQ worker when asked. */
export async function startConventional() {
  const suffix = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const database = `hg_bench_conv_${suffix}`;
  const prefix = `hgb:conv:${suffix}`;
  const apiKey = `conv_${randomBytes(8).toString('hex')}`;
  await createConventionalDatabase(database, VENUES);
  const env = { DATABASE: database, MYSQL_SOCKET: (await mysqlSocket()) ?? '', REDIS_PREFIX: prefix, API_KEY: apiKey };
  const server = spawnListening([join(BASELINES, 'conventional', 'server.js')], env);
  const port = await server.port;
  const queue = new Queue('events', { connection: { host: '127.0.0.1', port: 6379 }, prefix });
  const db = mysql.createPool({ host: '127.0.0.1', user: 'root', password: '', database, connectionLimit: 1 });
  let worker = null;
  const count = async (table) => Number((await db.query(`SELECT COUNT(*) AS n FROM ${table}`))[0][0].n);
  return {
    port,
    apiKey,
    database,
    pids: () => [server.proc.pid, ...(worker ? [worker.proc.pid] : [])],
    async startWorker() {
      worker = spawnListening([join(BASELINES, 'conventional', 'worker.js')], env);
      await worker.port;
    },
    async stopWorker() {
      if (worker) await stopProc(worker);
      worker = null;
    },
    /** Jobs not yet done (waiting, active, delayed). Failed ones are counted apart. */
    async backlog() {
      const c = await queue.getJobCounts('wait', 'active', 'delayed', 'prioritized', 'waiting-children', 'failed');
      return { pending: c.wait + c.active + c.delayed + c.prioritized + c['waiting-children'], failed: c.failed };
    },
    /** Check-ins committed, and how many of them each job kind has visibly processed. */
    async processed() {
      return { checkins: await count('checkins'), ledger: await count('points_ledger'), notifications: await count('notifications') };
    },
    /** Drops the jobs that no worker took (request-path rounds run without the worker). */
    async clearQueue() {
      await queue.obliterate({ force: true });
    },
    async stop() {
      await this.stopWorker();
      await stopProc(server);
      await queue.close();
      await db.end();
      await dropBenchData(database, prefix);
    },
  };
}

/**
 * hopgate for the request path (event pool off, so the figure is the request path, like
 * the conventional stack's without its worker) or end to end (pool on, notifications to a
 * file). The USSD deadline is raised so that overload shows as latency, not "busy" screens.
 */
export async function startHopgate({ events }) {
  const dir = mkdtempSync(join(tmpdir(), 'hopgate-bench-notify-'));
  const gw = await startBenchGateway({
    name: events ? 'e2e' : 'path',
    venues: VENUES,
    config: events
      ? { notify: { sink: { type: 'file', path: join(dir, 'notifications.jsonl') } } }
      : { ussd: { deadlineMs: 5000 }, pool: { enabled: false } },
  });
  const db = mysql.createPool({ host: '127.0.0.1', user: 'root', password: '', database: gw.database, connectionLimit: 1 });
  const one = async (sql) => Number((await db.query(sql))[0][0].n);
  return {
    port: gw.port,
    apiKey: gw.clientKey,
    database: gw.database,
    pids: () => [gw.pid],
    async backlog() {
      return { pending: await one('SELECT COUNT(*) AS n FROM checkin_work WHERE pending <> 0'), failed: await one('SELECT COUNT(*) AS n FROM checkin_work WHERE dead <> 0') };
    },
    async processed() {
      return { checkins: await one('SELECT COUNT(*) AS n FROM checkins'), done: await one('SELECT COUNT(*) AS n FROM checkin_work WHERE pending = 0 AND dead = 0') };
    },
    async stop() {
      await db.end();
      await gw.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * hopgate end to end AND replicated: an origin site (event pool on, every capability) and
 * two peer sites without `points`, full mesh on loopback, each on its own database. The
 * load goes to the origin; a check-in counts as done when its events are processed at the
 * origin and both peers hold it.
 */
export async function startReplicatedHopgate() {
  const sites = [
    { siteId: 'origin', siteNumber: 21, capabilities: ['checkin', 'ussd', 'sms', 'points', 'notify'] },
    { siteId: 'peer-b', siteNumber: 22, capabilities: ['checkin', 'ussd', 'sms', 'notify'] },
    { siteId: 'peer-c', siteNumber: 23, capabilities: ['checkin', 'ussd', 'sms', 'notify'] },
  ];
  const ports = await Promise.all(sites.map(() => freePort()));
  const secret = (a, b) => `bench-secret-${[a, b].sort().join('-')}-${randomBytes(16).toString('hex')}`;
  const secrets = {};
  for (const a of sites) for (const b of sites) if (a !== b) secrets[[a.siteId, b.siteId].sort().join()] ??= secret(a.siteId, b.siteId);
  const dir = mkdtempSync(join(tmpdir(), 'hopgate-bench-notify-'));
  // One after the other: the ports are fixed in advance, and a site whose peer is not up
  // yet retries with backoff.
  const gws = [];
  try {
    for (const [i, s] of sites.entries()) {
      gws.push(
        await startBenchGateway({
          name: `repl_${s.siteId}`,
          venues: VENUES,
          config: {
            siteId: s.siteId,
            siteNumber: s.siteNumber,
            capabilities: s.capabilities,
            http: { host: '127.0.0.1', port: ports[i] },
            peers: sites.flatMap((p, j) => (j === i ? [] : [{ siteId: p.siteId, url: `http://127.0.0.1:${ports[j]}`, secret: secrets[[s.siteId, p.siteId].sort().join()] }])),
            notify: { sink: { type: 'file', path: join(dir, `${s.siteId}.jsonl`) } },
          },
        }),
      );
    }
  } catch (e) {
    await Promise.all(gws.map((gw) => gw.stop()));
    throw e;
  }
  const dbs = gws.map((gw) => mysql.createPool({ host: '127.0.0.1', user: 'root', password: '', database: gw.database, connectionLimit: 1 }));
  const one = async (i, sql) => Number((await dbs[i].query(sql))[0][0].n);
  const checkins = (i) => one(i, 'SELECT COUNT(*) AS n FROM checkins');
  return {
    port: gws[0].port,
    apiKey: gws[0].clientKey,
    pids: () => gws.map((gw) => gw.pid),
    async backlog() {
      const [a, b, c] = await Promise.all([0, 1, 2].map(checkins));
      const pending = await one(0, 'SELECT COUNT(*) AS n FROM checkin_work WHERE pending <> 0');
      return { pending: pending + Math.max(0, a - b) + Math.max(0, a - c), failed: await one(0, 'SELECT COUNT(*) AS n FROM checkin_work WHERE dead <> 0') };
    },
    async processed() {
      const [a, b, c] = await Promise.all([0, 1, 2].map(checkins));
      return { checkins: a, done: await one(0, 'SELECT COUNT(*) AS n FROM checkin_work WHERE pending = 0 AND dead = 0'), atPeerB: b, atPeerC: c };
    },
    async stop() {
      for (const db of dbs) await db.end();
      await Promise.all(gws.map((gw) => gw.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

