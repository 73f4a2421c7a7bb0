// npm run bench [-- --only checkin,ussd] [--duration 10] [--connections 64]
// Runs the scenarios in bench/scenarios/, prints their figures, writes
// bench/results/<timestamp>.json and bench/results/latest.json, and regenerates the
// results table in bench/README.md. Every load is bounded in time and targets loopback.
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './lib/processes.js';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const only = arg('only', '')?.split(',').filter(Boolean) ?? [];
const durationSec = Number(arg('duration', '10'));
const connections = Number(arg('connections', '64'));
const dir = join(ROOT, 'bench', 'scenarios');
const files = readdirSync(dir).filter((f) => f.endsWith('.js')).sort();

const started = new Date();
const report = {
  startedAt: started.toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  durationSec,
  connections,
  scenarios: {},
};
const tables = [];
for (const file of files) {
  const scenario = await import(join(dir, file));
  if (only.length > 0 && !only.includes(scenario.name)) continue;
  process.stdout.write(`\n== ${scenario.title} ==\n`);
  const { result, rows } = await scenario.run({ durationSec, connections });
  report.scenarios[scenario.name] = result;
  console.table(rows);
  tables.push({ title: scenario.title, rows });
}

mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
const stamp = started.toISOString().replace(/[:.]/g, '-');
writeFileSync(join(ROOT, 'bench', 'results', `${stamp}.json`), JSON.stringify(report, null, 2) + '\n');
writeFileSync(join(ROOT, 'bench', 'results', 'latest.json'), JSON.stringify(report, null, 2) + '\n');

const md = [
  `Last run: ${report.startedAt}, ${report.machine.cpus} cores (${report.machine.model}), Node ${report.machine.node}, ` +
    `${connections} connections, ${durationSec} s per scenario. Raw figures: \`bench/results/${stamp}.json\`.`,
  '',
];
for (const t of tables) {
  const cols = Object.keys(t.rows[0]);
  md.push(`### ${t.title}`, '', `| ${cols.join(' | ')} |`, `|${cols.map(() => '---').join('|')}|`);
  for (const r of t.rows) md.push(`| ${cols.map((c) => r[c]).join(' | ')} |`);
  md.push('');
}
const readmePath = join(ROOT, 'bench', 'README.md');
const readme = readFileSync(readmePath, 'utf8');
const begin = '<!-- results:begin -->';
const end = '<!-- results:end -->';
const next = readme.slice(0, readme.indexOf(begin) + begin.length) + '\n' + md.join('\n') + '\n' + readme.slice(readme.indexOf(end));
writeFileSync(readmePath, next);
process.stdout.write(`\nwrote bench/results/${stamp}.json and bench/README.md\n`);
process.exit(0);
