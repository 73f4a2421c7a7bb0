import { InvalidArgumentError, type Command } from 'commander';
import type { Config } from '../config/schema.js';
import { EVENT_TYPES, type EventType } from '../core/events.js';
import { DeadLetterRepository, isEventType } from '../store/mysql/dead-letters.js';
import { createMysqlPool } from '../store/mysql/pool.js';
import { rebuildReadModel } from '../store/rebuild-read-model.js';

function eventOption(value: string): EventType {
  if (!isEventType(value)) throw new InvalidArgumentError(`must be one of ${EVENT_TYPES.join(', ')}`);
  return value;
}

function limitOption(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new InvalidArgumentError('must be an integer 1–1000');
  return n;
}

function idOption(value: string, previous: string[] = []): string[] {
  if (!/^[0-9]{1,20}$/.test(value)) throw new InvalidArgumentError('must be a check-in id');
  return [...previous, value];
}

async function withRepository<T>(config: Config, fn: (repo: DeadLetterRepository) => Promise<T>): Promise<T> {
  const pool = createMysqlPool(config.mysql, { connectionLimit: 1 });
  try {
    return await fn(new DeadLetterRepository(pool));
  } finally {
    await pool.end();
  }
}

/** `hopgate dead-letters list|replay` and `hopgate rebuild-read-model` (docs/events.md). */
export function registerEventCommands(program: Command, configOf: (file: string) => Config): void {
  const dl = program.command('dead-letters').description('post-processing events parked after their last attempt');
  dl.command('list')
    .description('list dead letters, oldest first')
    .requiredOption('-c, --config <file>', 'site configuration')
    .option('--limit <n>', 'at most this many (1–1000)', limitOption, 100)
    .option('--after <id>', 'page after this check-in id')
    .option('--event <name>', 'only this event', eventOption)
    .option('--json', 'one JSON object per line', false)
    .action(async (opts: { config: string; limit: number; after?: string; event?: EventType; json: boolean }) => {
      const items = await withRepository(configOf(opts.config), (repo) =>
        repo.list({ limit: opts.limit, ...(opts.after ? { after: opts.after } : {}), ...(opts.event ? { event: opts.event } : {}) }),
      );
      let out = '';
      for (const d of items) {
        out += opts.json
          ? JSON.stringify(d) + '\n'
          : `${d.checkinId}  ${d.events.join(',')}  attempts=${d.attempts}  ${d.msisdn ?? '?'} @ ${d.venueId ?? '?'}  ${d.lastError ?? ''}\n`;
      }
      if (!opts.json) out += `${items.length} dead letter(s)\n`;
      process.stdout.write(out);
    });
  dl.command('replay')
    .description('move dead letters back to pending; a running gateway picks them up at its next recovery pass')
    .requiredOption('-c, --config <file>', 'site configuration')
    .option('--id <id>', 'check-in id (repeatable)', idOption)
    .option('--all', 'every dead letter', false)
    .option('--event <name>', 'only this event', eventOption)
    .action(async (opts: { config: string; id?: string[]; all: boolean; event?: EventType }) => {
      if (!opts.all && (!opts.id || opts.id.length === 0)) throw new InvalidArgumentError('give --id <id> (repeatable) or --all');
      const n = await withRepository(configOf(opts.config), (repo) =>
        repo.replay({ ...(opts.all ? { all: true } : { ids: opts.id ?? [] }), ...(opts.event ? { event: opts.event } : {}) }),
      );
      process.stdout.write(`replayed ${n} check-in(s)\n`);
    });

  program
    .command('rebuild-read-model')
    .description('rebuild Redis totals, leaderboards and skippers from MySQL (the points ledger)')
    .requiredOption('-c, --config <file>', 'site configuration')
    .option('--no-progress', 'no progress bar')
    .action(async (opts: { config: string; progress: boolean }) => {
      const report = await rebuildReadModel(configOf(opts.config), { progress: opts.progress });
      process.stdout.write(
        `rebuilt: ${report.users} users on ${report.boards} boards, ${report.skippers} skippers; ${report.staleBoardsRemoved} stale boards removed\n`,
      );
    });
}
