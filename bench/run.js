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
  tables.push({ name: scenario.name, title: scenario.title, rows });
}

mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
const stamp = started.toISOString().replace(/[:.]/g, '-');
writeFileSync(join(ROOT, 'bench', 'results', `${stamp}.json`), JSON.stringify(report, null, 2) + '\n');
writeFileSync(join(ROOT, 'bench', 'results', 'latest.json'), JSON.stringify(report, null, 2) + '\n');

// Each scenario owns a block of bench/README.md between its own markers; a run replaces
// the blocks of the scenarios it ran and leaves the others as they were.
const readmePath = join(ROOT, 'bench', 'README.md');
let readme = readFileSync(readmePath, 'utf8');
for (const t of tables) {
  const cols = Object.keys(t.rows[0]);
  const md = [
    `### ${t.title}`,
    '',
    `Run ${report.startedAt}: ${report.machine.cpus} cores (${report.machine.model}), Node ${report.machine.node}, ` +
      `${connections} connections, ${durationSec} s; raw figures \`bench/results/${stamp}.json\`.`,
    '',
    `| ${cols.join(' | ')} |`,
    `|${cols.map(() => '---').join('|')}|`,
    ...t.rows.map((r) => `| ${cols.map((c) => r[c]).join(' | ')} |`),
  ].join('\n');
  const begin = `<!-- results:${t.name}:begin -->`;
  const end = `<!-- results:${t.name}:end -->`;
  const block = `${begin}\n${md}\n${end}`;
  const i = readme.indexOf(begin);
  const j = readme.indexOf(end);
  if (i >= 0 && j > i) readme = readme.slice(0, i) + block + readme.slice(j + end.length);
  else readme = readme.trimEnd() + '\n\n' + block + '\n';
}
writeFileSync(readmePath, readme);
process.stdout.write(`\nwrote bench/results/${stamp}.json and bench/README.md\n`);
process.exit(0);
