// npm run bench [-- --only versus|checkin,ussd,events] [--duration 10] [--connections 64]
//               [--repeat 3] [--pin on|off]
// Without --only: the `versus` scenario (hopgate against the conventional stack and the
// ceilings, bench/README.md). Runs the scenarios named, prints their figures, writes
// bench/results/<timestamp>.json and bench/results/latest.json, and regenerates the
// results table in bench/README.md. Every load is bounded in time and targets loopback.
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './lib/processes.js';
import { pinApart } from './lib/pinning.js';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const only = arg('only', 'versus').split(',').filter(Boolean);
const durationSec = Number(arg('duration', '10'));
const connections = Number(arg('connections', '64'));
// On a host whose speed drifts, one run is one sample: with --repeat N each scenario runs
// N times and its table shows, row by row, the run at the median of the row's first figure.
const repeat = Math.max(1, Number(arg('repeat', '1')));
const dir = join(ROOT, 'bench', 'scenarios');
const files = readdirSync(dir).filter((f) => f.endsWith('.js')).sort();

// The load generator (this process) on one CPU, the servers it spawns on the others.
const pinning = pinApart(arg('pin', only.includes('versus') ? 'on' : 'off') === 'on');
const started = new Date();
const stamp = started.toISOString().replace(/[:.]/g, '-');
const report = {
  startedAt: started.toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
  durationSec,
  connections,
  pinning,
  scenarios: {},
};
const tables = [];
for (const file of files) {
  const scenario = await import(join(dir, file));
  if (!only.includes('all') && !only.includes(scenario.name)) continue;
  const runs = [];
  for (let n = 1; n <= repeat; n++) {
    process.stdout.write(`\n== ${scenario.title}${repeat > 1 ? ` (run ${n} of ${repeat})` : ''} ==\n`);
    const machine = `${report.machine.cpus} cores (${report.machine.model}), Node ${report.machine.node}`;
    runs.push(await scenario.run({ durationSec, connections, pinning, startedAt: report.startedAt, machine, file: `${stamp}.json` }));
    console.table(runs[runs.length - 1].rows);
  }
  report.scenarios[scenario.name] = repeat === 1 ? runs[0].result : { runs: runs.map((r) => r.result) };
  tables.push({ name: scenario.name, title: scenario.title, markdown: runs[runs.length - 1].markdown, rows: repeat === 1 ? runs[0].rows : medianRows(runs.map((r) => r.rows)) });
}

mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', `${stamp}.json`), JSON.stringify(report, null, 2) + '\n');
writeFileSync(join(ROOT, 'bench', 'results', 'latest.json'), JSON.stringify(report, null, 2) + '\n');

// Each scenario owns a block of bench/README.md between its own markers; a run replaces
// the blocks of the scenarios it ran and leaves the others as they were.
const readmePath = join(ROOT, 'bench', 'README.md');
let readme = readFileSync(readmePath, 'utf8');
for (const t of tables) {
  const cols = Object.keys(t.rows[0]);
  // A scenario with its own report (several tables, charts) hands its markdown over whole.
  const md = t.markdown ? `### ${t.title}\n\n${t.markdown}` : [
    `### ${t.title}`,
    '',
    `Run ${report.startedAt}: ${report.machine.cpus} cores (${report.machine.model}), Node ${report.machine.node}, ` +
      `${connections} connections, ${durationSec} s` +
      (repeat > 1 ? `; ${repeat} runs, each row the median run by its first figure (all of them in the last column)` : '') +
      `; raw figures \`bench/results/${stamp}.json\`.`,
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

/**
 * Row i of the result: row i of the run at the median of that row's first numeric figure
 * (req/s, events/s), with every run's value of that figure in an extra column.
 */
function medianRows(runsRows) {
  return runsRows[0].map((first, i) => {
    const key = Object.keys(first).find((k) => typeof first[k] === 'number');
    if (key === undefined) return first;
    const order = runsRows.map((rows) => rows[i]).sort((a, b) => a[key] - b[key]);
    const median = order[Math.floor((order.length - 1) / 2)];
    return { ...median, [`${key}, every run`]: runsRows.map((rows) => rows[i][key]).join(' / ') };
  });
}
process.stdout.write(`\nwrote bench/results/${stamp}.json and bench/README.md\n`);
process.exit(0);
