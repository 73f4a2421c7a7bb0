import { spawn, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mysql from 'mysql2/promise';
import { Redis } from 'ioredis';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli.js');

/**
 * CPUs the servers under test are pinned to (`taskset -c`), or null: set by a runner that
 * pins its load generator apart (bench/lib/pinning.js). Every server process spawned here
 * gets it; MariaDB and Redis are shared services of the box and are left alone.
 */
export const serverPinning = { cpus: null };

/** Spawns a node script and resolves once it printed a JSON "listening" line with its port. */
export function spawnListening(args, env = {}) {
  const [cmd, argv] = serverPinning.cpus === null ? [process.execPath, args] : ['taskset', ['-c', serverPinning.cpus, process.execPath, ...args]];
  const proc = spawn(cmd, argv, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise((resolve) => proc.on('exit', resolve));
  const port = new Promise((resolve, reject) => {
    // A bound against hangs, generous: a gateway starting on a saturated box can take 20 s.
    const t = setTimeout(() => reject(new Error(`no "listening" within 60 s:\n${out}`)), 60_000);
    proc.stdout.on('data', (d) => {
      out += d.toString();
      const m = /"port":(\d+)[^\n]*"msg":"listening"|"msg":"listening"[^\n]*"port":(\d+)/.exec(out);
      if (m) {
        clearTimeout(t);
        resolve(Number(m[1] ?? m[2]));
      }
    });
    proc.stderr.on('data', (d) => (out += d.toString()));
    exited.then((code) => reject(new Error(`exited with ${code}:\n${out}`)));
  });
  return { proc, port, exited, output: () => out };
}

/** Drops a benchmark's database, its Redis keys (SCAN, never KEYS) and its temp folder, if any. */
export async function dropBenchData(database, prefix, dir) {
  const c = await mysql.createConnection({ host: '127.0.0.1', user: 'root', password: '' });
  await c.query(`DROP DATABASE IF EXISTS \`${database}\``);
  await c.end();
  const r = new Redis({ host: '127.0.0.1', port: 6379 });
  let cursor = '0';
  do {
    const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length) await r.del(...keys);
  } while (cursor !== '0');
  r.disconnect();
  if (dir) rmSync(dir, { recursive: true, force: true });
}

/** Peak resident set size of a live process, in MiB (VmHWM). */
export function peakRssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0);
  return Math.round((kb / 1024) * 10) / 10;
}

export function keyPair() {
  const key = `hg_bench_${randomBytes(16).toString('hex')}`;
  return { key, sha256: createHash('sha256').update(key).digest('hex') };
}

/**
 * The local MariaDB's Unix socket, if it has one: the gateway then talks to MySQL without
 * loopback TCP (measured here: about 5 µs less gateway CPU and 6 µs less mysqld CPU per
 * check-in). Asked from the server, so no path is assumed.
 */
export async function mysqlSocket() {
  const c = await mysql.createConnection({ host: '127.0.0.1', user: 'root', password: '' });
  try {
    const [rows] = await c.query('SELECT @@socket AS socket');
    const socket = rows[0]?.socket;
    return socket && existsSync(socket) ? socket : undefined;
  } finally {
    await c.end();
  }
}

/**
 * A gateway on its own database and Redis prefix; `stop()` drops both. `nodeArgs` go to
 * the gateway's node (e.g. `--cpu-prof`).
 */
export async function startBenchGateway({ name, config = {}, venues = 10_000, users = 0, nodeArgs = [] }) {
  const socketPath = await mysqlSocket();
  const suffix = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const database = `hg_bench_${name}_${suffix}`.replace(/[^A-Za-z0-9_]/g, '_');
  const prefix = `hgb:${name}:${suffix}:`;
  const client = keyPair();
  const admin = keyPair();
  const full = {
    siteId: 'bench',
    siteNumber: 3,
    timeZone: 'Africa/Nairobi',
    http: { host: '127.0.0.1', port: 0 },
    mysql: { host: '127.0.0.1', port: 3306, ...(socketPath ? { socketPath } : {}), user: 'root', password: '', database },
    redis: { local: { keyPrefix: prefix }, readModel: { keyPrefix: prefix } },
    auth: { apiKeys: [{ id: 'bench', role: 'client', sha256: client.sha256 }, { id: 'bench-admin', role: 'admin', sha256: admin.sha256 }] },
    // One load generator is one source and a few subscribers: the throttles would measure themselves.
    limits: { clientRatePerSec: 1_000_000, clientBurst: 1_000_000, subscriberRatePerSec: 0, sourceRatePerSec: 0 },
    log: { level: 'warn' },
    ...config,
  };
  const dir = mkdtempSync(join(tmpdir(), 'hopgate-bench-'));
  const file = join(dir, 'site.json');
  writeFileSync(file, JSON.stringify(full));
  execFileSync(process.execPath, [CLI, 'migrate', '--config', file], { stdio: 'ignore' });
  execFileSync(process.execPath, [CLI, 'seed', '--config', file, '--venues', String(venues), '--users', String(users), '--no-progress'], { stdio: 'ignore' });
  full.log = { ...full.log, level: 'info' }; // the "listening" line is logged at info
  writeFileSync(file, JSON.stringify(full));
  const gw = spawnListening([...nodeArgs, CLI, 'serve', '--config', file]);
  const port = await gw.port.catch(async (e) => {
    gw.proc.kill('SIGKILL'); // never left running when it did not start
    await dropBenchData(database, prefix, dir);
    throw e;
  });
  return {
    mysqlTransport: socketPath ? 'unix socket' : 'tcp',
    url: `http://127.0.0.1:${port}`,
    port,
    pid: gw.proc.pid,
    clientKey: client.key,
    adminKey: admin.key,
    database,
    prefix,
    output: gw.output,
    async latency(reset = false) {
      const res = await fetch(`http://127.0.0.1:${port}/admin/latency${reset ? '?reset=1' : ''}`, { headers: { 'x-api-key': admin.key } });
      return res.json();
    },
    async metrics() {
      return (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    },
    async stop() {
      gw.proc.kill('SIGTERM');
      await Promise.race([gw.exited, new Promise((r) => setTimeout(r, 15_000))]);
      gw.proc.kill('SIGKILL');
      await dropBenchData(database, prefix, dir);
    },
  };
}
