import type { Command } from 'commander';
import { stringify } from 'yaml';
import { ConfigError, envOverrideNames, loadConfig } from '../config/load.js';
import { maskSecrets } from '../config/mask-secrets.js';

/**
 * `hopgate config check <file>`: what `serve` would run with, before it runs. Validates the
 * file with the `HOPGATE__` overrides of this environment applied, names every problem by
 * its key (exit 78, EX_CONFIG, as `serve` does), and prints the effective config — every
 * default filled in — as YAML with secrets masked (config/mask-secrets.ts).
 */
export function registerConfigCommands(program: Command): void {
  const config = program.command('config').description('site configuration');
  config
    .command('check <file>')
    .description('validate a site config (with HOPGATE__ overrides) and print the effective config, secrets masked')
    .action((file: string) => {
      try {
        const effective = loadConfig(file);
        const overrides = envOverrideNames(process.env);
        process.stdout.write(
          `# ${file}: valid\n` +
            (overrides.length > 0 ? `# environment overrides applied: ${overrides.join(', ')}\n` : '') +
            '# effective configuration (defaults filled in; passwords, secrets and URL passwords masked)\n' +
            stringify(maskSecrets(effective)),
        );
      } catch (e) {
        if (!(e instanceof ConfigError)) throw e;
        process.stderr.write(`hopgate: ${file}: ${e.problems.length} problem(s)\n  ${e.problems.join('\n  ')}\n`);
        process.exit(78);
      }
    });
}
