import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InvalidArgumentError, type Command } from 'commander';
import type { Config } from '../config/schema.js';
import { demoPlan, type DemoPlan } from './demo-plan.js';
import { DemoTraffic } from './demo-traffic.js';
import { answersPing, startRedisServer, type RedisServerProcess } from './redis-server-process.js';
import { startSiteProcess, type SiteProcess } from './site-process.js';

const CONFIG_DIR = fileURLToPath(new URL('../../config/sites/', import.meta.url));
const DEFAULT_CONFIGS = ['nbo', 'mba', 'ksm'].map((s) => join(CONFIG_DIR, `${s}.yaml`));
const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));
const MAX_TRAFFIC = 200;

/** Venues the demo creates at every site (venues replicate only once sync does). */
const VENUES = [
  { id: '4321', name: 'Mama Oliech', city: 'Nairobi' },
  { id: '5001', name: 'Tamarind Dhow', city: 'Mombasa' },
  { id: '6001', name: 'Kiboko Bay', city: 'Kisumu' },
] as const;

interface DemoOptions {
  readonly config: string[];
  readonly traffic: number;
  readonly trafficFor: number;
}

/** Everything the demo started, so that one stop ends it all. */
interface Started {
  readonly redis: RedisServerProcess[];
  readonly sites: SiteProcess[];
  traffic: DemoTraffic | null;
}

function trafficOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > MAX_TRAFFIC) throw new InvalidArgumentError(`must be an integer 0–${MAX_TRAFFIC}`);
  return n;
}

function secondsOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 86_400) throw new InvalidArgumentError('must be 1–86400 seconds');
  return n;
}

/** `hopgate demo`: three sites of one deployment on this machine (README, "Several sites"). */
export function registerDemoCommand(program: Command, configOf: (file: string) => Config): void {
  program
    .command('demo')
    .description('start three sites on this machine: gateways on config/sites/*.yaml, their databases, a Redis master and two chained replicas; Ctrl-C stops everything')
    .option('-c, --config <files...>', 'site configs, the points site first; each next site reads a replica of the previous one', DEFAULT_CONFIGS)
    .option('--traffic <n>', `check-ins per second at every site (0–${MAX_TRAFFIC})`, trafficOption, 0)
    .option('--traffic-for <seconds>', 'stop the traffic after this long', secondsOption, 600)
    .action(async (opts: DemoOptions) => {
      await runDemo(demoPlan(opts.config.map(configOf)), opts.config, opts);
    });
}

async function runDemo(plan: DemoPlan, files: readonly string[], opts: DemoOptions): Promise<void> {
  const started: Started = { redis: [], sites: [], traffic: null };
  let stopping = false;
  const stop = async (code: number, why: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\nhopgate demo: ${why}; stopping everything it started\n`);
    await stopAll(started);
    process.stdout.write('hopgate demo: stopped\n');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0, 'SIGINT'));
  process.on('SIGTERM', () => void stop(0, 'SIGTERM'));
  // Last resort (an exception on the way out): nothing started here outlives the demo.
  process.on('exit', () => {
    for (const p of [...started.sites, ...started.redis]) if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL');
  });

  try {
    for (const s of plan.chain) {
      if (await answersPing(s.port)) throw new Error(`something already answers on redis port ${s.port}: stop it (or change redis.readModel.port in the configs)`);
    }
    for (const s of plan.chain) {
      started.redis.push(await startRedisServer({ port: s.port, ...(s.replicaOf !== null ? { replicaOf: { host: '127.0.0.1', port: s.replicaOf } } : {}) }));
      if (stopping) return;
    }
    const logDir = mkdtempSync(join(tmpdir(), 'hopgate-demo-'));
    const client = demoKey('client');
    const admin = demoKey('admin');
    const sites = await Promise.allSettled(
      plan.sites.map((site, i) =>
        startSiteProcess(CLI, site.siteId, files[i]!, join(logDir, `${site.siteId}.log`), {
          // The configs' own keys stay; the demo adds a key pair of its own for its venues and traffic.
          HOPGATE__AUTH__APIKEYS: JSON.stringify([...site.auth.apiKeys, client.entry, admin.entry]),
        }),
      ),
    );
    for (const s of sites) if (s.status === 'fulfilled') started.sites.push(s.value);
    const failed = sites.find((s) => s.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;
    if (stopping) return;
    for (const s of started.sites) {
      void s.exited.then((code) => void stop(1, `site ${s.siteId} exited (${code}); see ${join(logDir, `${s.siteId}.log`)}`));
    }
    const urls = new Map(started.sites.map((s) => [s.siteId, `http://127.0.0.1:${s.port}`]));
    for (const url of urls.values()) await putVenues(url, admin.key);
    process.stdout.write(summary(plan, urls, logDir));
    if (opts.traffic > 0) {
      const traffic = new DemoTraffic(
        [...urls].map(([siteId, url]) => ({ siteId, url })),
        { perSecond: opts.traffic, forMs: opts.trafficFor * 1000, clientKey: client.key, venueIds: VENUES.map((v) => v.id) },
      );
      started.traffic = traffic;
      traffic.start();
      const report = setInterval(() => {
        const line = [...traffic.counts].map(([site, c]) => `${site} ${c.ok} ok${c.failed ? ` ${c.failed} failed` : ''}`).join(', ');
        process.stdout.write(`traffic (${opts.traffic}/s per site): ${line}${traffic.running ? '' : ' (done)'}\n`);
        if (!traffic.running) clearInterval(report);
      }, 10_000);
      report.unref();
    }
    process.stdout.write('hopgate demo: ready (Ctrl-C stops everything)\n');
  } catch (e) {
    process.stderr.write(`hopgate demo: ${(e as Error).message}\n`);
    await stop(1, 'start-up failed');
  }
}

async function stopAll(started: Started): Promise<void> {
  await started.traffic?.stop();
  await Promise.allSettled(started.sites.map((s) => s.stop()));
  await Promise.allSettled(started.redis.map((r) => r.stop()));
}

function demoKey(role: 'client' | 'admin'): { key: string; entry: { id: string; role: string; sha256: string } } {
  const key = `hg_demo_${role}_${randomBytes(16).toString('hex')}`;
  return { key, entry: { id: `demo-${role}`, role, sha256: createHash('sha256').update(key).digest('hex') } };
}

async function putVenues(url: string, adminKey: string): Promise<void> {
  for (const v of VENUES) {
    const r = await fetch(`${url}/v1/venues/${v.id}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'x-api-key': adminKey },
      body: JSON.stringify({ name: v.name, city: v.city }),
      signal: AbortSignal.timeout(5000),
    });
    if (!r.ok) throw new Error(`cannot create venue ${v.id} at ${url}: ${r.status} ${await r.text()}`);
  }
}

function summary(plan: DemoPlan, urls: ReadonlyMap<string, string>, logDir: string): string {
  const [points, near, far] = plan.sites.map((s) => ({ id: s.siteId, url: urls.get(s.siteId)! }));
  const rows = plan.sites.map((s, i) => {
    const link = plan.chain[i]!;
    const rm = `redis 127.0.0.1:${link.port} ${link.replicaOf === null ? '(master)' : `(replica of ${link.replicaOf})`}`;
    return `  ${s.siteId.padEnd(5)} ${urls.get(s.siteId)!.padEnd(24)} ${s.capabilities.join(' ').padEnd(32)} ${rm}`;
  });
  const other = far ?? near ?? points!;
  return `
hopgate demo: ${plan.sites.length} sites of one deployment (logs in ${logDir})

  site  listens on               capabilities                     read model
${rows.join('\n')}

Venues ${VENUES.map((v) => v.id).join(', ')} exist at every site. Try (the local-only keys from README.md):
  K=hg_cli_local_only_not_for_production; A=hg_adm_local_only_not_for_production
  # dial *384*4321# at ${other.id}, as Africa's Talking delivers it: a check-in in one hop
  curl -s -X POST ${other.url}/ussd/africastalking -d 'sessionId=demo-1&phoneNumber=%2B254712345678&serviceCode=*384*4321%23&text='
  # a moment later sync has carried it to ${points!.id} (the points site), whose pool awarded the
  # points into the read-model master; ${other.id} reads them from a replica${far ? ' of a replica' : ''}
  curl -s ${points!.url}/v1/users/0712345678 -H "X-Api-Key: $K"
  curl -s ${other.url}/v1/users/0712345678 -H "X-Api-Key: $K"      (stale: true while its replica link is down)
  # a check-in at ${points!.id} through the JSON API, and the global board at ${near?.id ?? points!.id}
  curl -s -X POST ${points!.url}/v1/checkins -H "X-Api-Key: $K" -H 'Content-Type: application/json' -d '{"msisdn":"0712345679","venueId":"5001"}'
  curl -s ${(near ?? points!).url}/v1/leaderboards/global -H "X-Api-Key: $K"

See it:
  curl -s ${other.url}/metrics | grep hopgate_read_model_     (replica link, lag, stale)
  curl -s ${other.url}/admin/sync -H "X-Api-Key: $A"         (sync per peer, and the read model's replica link)

`;
}
