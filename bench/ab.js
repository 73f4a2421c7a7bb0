// node bench/ab.js [--base <git rev>] [--runs 3] [--only dial,api] [--duration 8] [--rate N]
//                  [--a-env K=V,K=V] [--b-env K=V,K=V]
// Before/after on a host whose speed drifts: runs `bench/cpu-per-request.js` alternately
// for A and B, `--runs` times each, and prints every run and the medians per load.
//   A = `--base` (a detached worktree of that revision, built here and removed after), or
//       this tree when no base is given; B = this tree (build it first: `npm run build`).
//   `--a-env` / `--b-env` add environment variables to one side, e.g. a config override
//   `HOPGATE__WRITER__MAXCONCURRENTBATCHES=1` to compare two settings of one build.
// Each run takes the bench lock (`flock /tmp/hopgate-bench.lock`), so it never overlaps
// another bench or test run that takes it too. Every load is bounded in time and targets
// loopback.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './lib/processes.js';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}
const base = arg('base', '');
const runs = Number(arg('runs', '3'));
const only = arg('only', 'dial');
const duration = arg('duration', '8');
const rate = arg('rate', '');
const envOf = (s) => Object.fromEntries((s ?? '').split(',').filter(Boolean).map((kv) => kv.split('=')));
const sides = [
  { name: base ? `A (${base})` : 'A', dir: ROOT, env: envOf(arg('a-env', '')), rows: [] },
  { name: 'B (this tree)', dir: ROOT, env: envOf(arg('b-env', '')), rows: [] },
];

let worktree = null;
if (base) {
  worktree = join(mkdtempSync(join(tmpdir(), 'hopgate-ab-')), 'base');
  execFileSync('git', ['worktree', 'add', '--detach', worktree, base], { cwd: ROOT, stdio: 'ignore' });
  symlinkSync(join(ROOT, 'node_modules'), join(worktree, 'node_modules'));
  execFileSync('npm', ['run', 'build'], { cwd: worktree, stdio: 'ignore' });
  sides[0].dir = worktree;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const figures = (row) => ({
  'req/s': row['req/s'],
  'p99 ms': Number(row['p50/p99 ms'].split('/')[1]),
  'gateway µs': row['CPU µs/req'].gateway,
  'mariadb µs': row['CPU µs/req'].mysqld,
  'box µs': row['CPU µs/req'].box,
});

try {
  for (let r = 0; r < runs; r++) {
    for (const side of sides) {
      const args = ['/tmp/hopgate-bench.lock', process.execPath, 'bench/cpu-per-request.js', '--only', only, '--duration', duration];
      if (rate) args.push('--rate', rate);
      const out = spawnSync('flock', args, { cwd: side.dir, env: { ...process.env, ...side.env }, encoding: 'utf8' });
      if (out.status !== 0) throw new Error(`${side.name} run ${r + 1} failed:\n${out.stderr}`);
      for (const line of out.stdout.split('\n').filter((l) => l.startsWith('{"load":'))) {
        const row = JSON.parse(line);
        side.rows.push({ load: row.load, ...figures(row) });
        console.log(`${side.name} run ${r + 1} ${row.load}: ${JSON.stringify(figures(row))}`);
      }
    }
  }
  const table = [];
  for (const load of only.split(',')) {
    for (const side of sides) {
      const rows = side.rows.filter((x) => x.load === load);
      const m = { load, side: side.name };
      for (const k of Object.keys(figures({ 'req/s': 0, 'p50/p99 ms': '0/0', 'CPU µs/req': {} }))) m[k] = median(rows.map((x) => x[k]));
      table.push(m);
    }
  }
  console.log(`\nmedians of ${runs} alternated runs:`);
  console.table(table);
} finally {
  if (worktree) {
    execFileSync('git', ['worktree', 'remove', '--force', worktree], { cwd: ROOT, stdio: 'ignore' });
    rmSync(join(worktree, '..'), { recursive: true, force: true });
  }
}
