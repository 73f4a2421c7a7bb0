#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import { Command, InvalidArgumentError } from 'commander';
import { registerConfigCommands } from './cli/config-commands.js';
import { registerDemoCommand } from './cli/demo.js';
import { registerEventCommands } from './cli/events-commands.js';
import { ConfigError, loadConfig } from './config/load.js';
import type { Config } from './config/schema.js';
import { hashApiKey } from './gateway/auth.js';
import { startGateway } from './main.js';
import { createLogger } from './observability/logger.js';
import { migrate } from './store/mysql/migrate.js';
import { announceWhenReachable } from './ops/readiness.js';
import { SystemdNotifier } from './ops/systemd-notify.js';
import { seed } from './store/mysql/seed.js';

const program = new Command('hopgate').description('check-in gateway for telco loyalty services').showHelpAfterError();

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError('must be a non-negative integer');
  return n;
}

function configOf(file: string): Config {
  try {
    return loadConfig(file);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`hopgate: ${e.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw e;
  }
}

program
  .command('serve')
  .description('run the gateway (HTTP front end, writer, worker pool, sync thread)')
  .requiredOption('-c, --config <file>', 'site configuration (YAML or JSON)')
  .option('--migrate', 'apply schema migrations before starting', false)
  .action(async (opts: { config: string; migrate: boolean }) => {
    const config = configOf(opts.config);
    const log = createLogger(config.log.level, { site: config.siteId });
    if (opts.migrate) log.info(await migrate(config.mysql), 'migrations');
    // systemd (Type=notify): READY=1 once serving, STOPPING=1 on drain, WATCHDOG=1 pings.
    const notifier = SystemdNotifier.fromEnv(process.env, log);
    notifier?.startWatchdog();
    const gateway = await startGateway(config, log);
    let stopping = false;
    void announceWhenReachable(() => gateway.reachable(), notifier, log, () => stopping);
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'stopping');
      void notifier?.stopping();
      gateway.stop().then(
        () => process.exit(0),
        (e: unknown) => {
          log.error({ err: e }, 'unclean stop');
          process.exit(1);
        },
      );
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });

program
  .command('migrate')
  .description('create or upgrade the MySQL schema (idempotent)')
  .requiredOption('-c, --config <file>', 'site configuration')
  .action(async (opts: { config: string }) => {
    const report = await migrate(configOf(opts.config).mysql);
    process.stdout.write(
      report.applied.length === 0
        ? `schema up to date (${report.alreadyApplied} migrations applied before)\n`
        : `applied: ${report.applied.join(', ')}\n`,
    );
  });

program
  .command('seed')
  .description('insert venues and users in bulk (idempotent: existing rows are kept)')
  .requiredOption('-c, --config <file>', 'site configuration')
  .option('--venues <n>', 'venues to create', positiveInt, 1000)
  .option('--users <n>', 'users to create', positiveInt, 100_000)
  .option('--no-progress', 'no progress bar')
  .action(async (opts: { config: string; venues: number; users: number; progress: boolean }) => {
    const config = configOf(opts.config);
    await seed(config, { venues: opts.venues, users: opts.users, progress: opts.progress });
  });

const keys = program.command('keys').description('API keys');
keys
  .command('create')
  .description('make a new API key; prints the key once and the config entry holding only its hash')
  .requiredOption('--id <clientId>', 'client id (a-z 0-9 _ . -)')
  .option('--role <role>', 'client or admin', 'client')
  .action((opts: { id: string; role: string }) => {
    if (opts.role !== 'client' && opts.role !== 'admin') throw new InvalidArgumentError('--role must be client or admin');
    const key = `hg_${opts.role === 'admin' ? 'adm' : 'cli'}_${randomBytes(24).toString('base64url')}`;
    process.stdout.write(
      `API key (give it to the client; it is not stored anywhere):\n  ${key}\n\n` +
        `Add to auth.apiKeys in the site config:\n  - id: ${opts.id}\n    role: ${opts.role}\n    sha256: ${hashApiKey(key)}\n`,
    );
  });

registerEventCommands(program, configOf);
registerConfigCommands(program);
registerDemoCommand(program, configOf);

program.parseAsync(process.argv).catch((e: unknown) => {
  process.stderr.write(`hopgate: ${(e as Error).message}\n`);
  process.exit(1);
});
