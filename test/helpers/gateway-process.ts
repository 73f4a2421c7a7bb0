import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deleteRedisPrefix, dropDatabase, MYSQL, REDIS, uniqueName } from './env.js';
import { running } from './running-gateways.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist', 'cli.js');

export interface GatewayOptions {
  /** Deep-merged over the test defaults. */
  config?: Record<string, unknown>;
  /** Reuse an existing database (e.g. to restart a gateway on the same data). */
  database?: string;
  redisPrefix?: string;
  /** Skip `hopgate migrate` (already done for `database`). */
  skipMigrate?: boolean;
  env?: NodeJS.ProcessEnv;
  /** How long to wait for the "listening" line (default 15 s). */
  startTimeoutMs?: number;
}

export interface TestGateway {
  readonly url: string;
  readonly port: number;
  readonly database: string;
  readonly redisPrefix: string;
  readonly clientKey: string;
  readonly adminKey: string;
  readonly proc: ChildProcess;
  readonly configFile: string;
  readonly config: Record<string, unknown>;
  /** Everything the process printed so far. */
  output(): string;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  /** POST/GET helper with the client key. */
  request(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<HttpResult>;
  /** SIGTERM and wait; then drop the database and Redis keys unless `keepData`. */
  stop(opts?: { keepData?: boolean; signal?: NodeJS.Signals }): Promise<number | null>;
}

export interface HttpResult {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: any;
}

export function keyPair(): { key: string; sha256: string } {
  const key = `hg_test_${randomBytes(16).toString('hex')}`;
  return { key, sha256: createHash('sha256').update(key).digest('hex') };
}

/** Deep merge of plain objects (arrays and values from `over` replace). */
export function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? merge(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

export function testConfig(database: string, redisPrefix: string, client: { sha256: string }, admin: { sha256: string }): Record<string, unknown> {
  return {
    siteId: 'test',
    siteNumber: 7,
    timeZone: 'Africa/Nairobi',
    defaultCountryCode: '254',
    // A short drain quiet window: every gateway a test stops would otherwise wait 500 ms.
    http: { host: '127.0.0.1', port: 0, drainQuietMs: 100 },
    mysql: { ...MYSQL, database, connectionLimit: 4 },
    // A generous Redis budget: on a box shared by many test processes a Redis call can take
    // longer than the production 50 ms, and a test of sessions must not see them skipped.
    // redis-hung.test.ts sets the production figure.
    redis: {
      local: { ...REDIS, keyPrefix: redisPrefix, requestBudgetMs: 1000 },
      readModel: { ...REDIS, keyPrefix: redisPrefix, requestBudgetMs: 1000 },
    },
    auth: {
      apiKeys: [
        { id: 'test-client', role: 'client', sha256: client.sha256 },
        { id: 'test-admin', role: 'admin', sha256: admin.sha256 },
      ],
    },
    // Post-processing off: replies and reads stay deterministic. Event tests turn it on.
    pool: { enabled: false },
    // Scripted sessions hop faster than any thumb: the per-subscriber throttle is set far
    // above them here; its own tests set it low.
    limits: { subscriberRatePerSec: 1000, subscriberBurst: 1000 },
    log: { level: 'info' },
  };
}

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('exit', (code) => resolve({ code, out }));
  });
}

/** Runs `hopgate <args>` to completion (migrate, seed, keys …). */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; out: string }> {
  return run(args, env);
}

/**
 * Starts a real gateway process (`node dist/cli.js serve`) on a free port, with its own
 * database and Redis key prefix. Waits for its "listening" log line.
 */
export async function startGateway(opts: GatewayOptions = {}): Promise<TestGateway> {
  const database = opts.database ?? uniqueName('hg_t');
  const redisPrefix = opts.redisPrefix ?? `${uniqueName('hgt')}:`;
  const client = keyPair();
  const admin = keyPair();
  const config = merge(testConfig(database, redisPrefix, client, admin), opts.config ?? {});
  const dir = mkdtempSync(join(tmpdir(), 'hopgate-test-'));
  const configFile = join(dir, 'site.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  if (!opts.skipMigrate) {
    const m = await run(['migrate', '--config', configFile], opts.env ?? {});
    if (m.code !== 0) {
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`migrate failed: ${m.out}`);
    }
  }
  const proc = spawn(process.execPath, [CLI, 'serve', '--config', configFile], {
    env: { ...process.env, ...(opts.env ?? {}) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const port = await new Promise<number>((resolve, reject) => {
    let started = false;
    const fail = (e: Error) => {
      if (started) return; // a later exit is the test's business (kill -9, SIGTERM …)
      started = true;
      proc.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      const cleanup = opts.database ? Promise.resolve() : dropDatabase(database).then(() => deleteRedisPrefix(redisPrefix));
      void cleanup.finally(() => reject(e));
    };
    const startTimeoutMs = opts.startTimeoutMs ?? 30_000;
    const timer = setTimeout(() => fail(new Error(`gateway did not start in ${startTimeoutMs / 1000} s:\n${out}`)), startTimeoutMs);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /"port":(\d+)[^\n]*"msg":"listening"/.exec(out);
      if (m && !started) {
        started = true;
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    void exited.then((code) => {
      clearTimeout(timer);
      fail(new Error(`gateway exited with ${code} before listening:\n${out}`));
    });
  });
  const url = `http://127.0.0.1:${port}`;
  const gw: TestGateway = {
    url,
    port,
    database,
    redisPrefix,
    clientKey: client.key,
    adminKey: admin.key,
    proc,
    configFile,
    config,
    output: () => out,
    exited,
    async request(method, path, body, headers = {}) {
      const res = await fetch(url + path, {
        method,
        headers: {
          'x-api-key': client.key,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      let json: unknown = null;
      try {
        json = JSON.parse(text);
      } catch {
        json = null;
      }
      return { status: res.status, headers: res.headers, text, json };
    },
    async stop({ keepData = false, signal = 'SIGTERM' } = {}) {
      running.delete(gw);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      const code = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 15_000))]);
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
      if (!keepData) {
        await dropDatabase(database);
        await deleteRedisPrefix(redisPrefix);
      }
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
  running.add(gw);
  return gw;
}

/** Creates a venue through the admin API. */
export async function putVenue(gw: TestGateway, id: string, venue: { name: string; city: string; open?: boolean; code?: string }): Promise<HttpResult> {
  return gw.request('PUT', `/v1/venues/${id}`, venue, { 'x-api-key': gw.adminKey });
}
