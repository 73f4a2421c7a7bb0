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
