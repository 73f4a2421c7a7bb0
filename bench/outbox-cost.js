// node bench/outbox-cost.js [--rounds 7] [--batches 300] [--rows 100]
// What replication costs the check-in transaction, by outbox design, measured on MariaDB
// alone (no gateway, no HTTP): the writer's own batch SQL (src/store/mysql/checkin-writer.ts,
// buildBatchSql) for batches of --rows check-ins, committed --batches times per round, with
//   none      no replication (a site without peers),
//   log       one sync_log entry per batch (what hopgate does: migration 008),
//   rows×2    one outbox row per check-in per peer, two peers (the design it replaced),
// rounds alternated (none, log, rows×2, none, …) so the host's drift hits all three; the
// medians of the per-round throughputs (check-ins/s) and their ratios to `none` are printed.
// Also deletes the acknowledged rows of rows×2 as a sender would (the cost it adds later).
import mysql from 'mysql2/promise';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { ROOT } from './lib/processes.js';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const rounds = arg('rounds', 7);
const batches = arg('batches', 300);
const rowsPerBatch = arg('rows', 100);

const { buildBatchSql } = await import(pathToFileURL(join(ROOT, 'dist/store/mysql/checkin-writer.js')).href);
const { migrate } = await import(pathToFileURL(join(ROOT, 'dist/store/mysql/migrate.js')).href);
const database = `hg_bench_outbox_${process.pid}`;
const cfg = { host: '127.0.0.1', port: 3306, user: 'root', password: '', database };
await migrate({ ...cfg, connectTimeoutMs: 2000 });
// The per-peer outbox table as migration 001 had it.
const conn = await mysql.createConnection({ ...cfg, multipleStatements: true });
await conn.query(`CREATE TABLE sync_outbox (peer VARCHAR(16) NOT NULL, checkin_id BIGINT UNSIGNED NOT NULL,
  attempts SMALLINT UNSIGNED NOT NULL DEFAULT 0, next_attempt_ms BIGINT NOT NULL DEFAULT 0, last_error VARCHAR(255) NULL,
  PRIMARY KEY (peer, checkin_id)) ENGINE=InnoDB`);
await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED');

let nextId = 1n << 40n;
let user = 0;
function batch() {
  const out = [];
  for (let i = 0; i < rowsPerBatch; i++) {
    nextId += 1n;
    user++;
    out.push({ id: nextId, day: '2026-12-07', city: 'Nairobi', cmd: { msisdn: `+2547${String(10_000_000 + (user % 50_000)).slice(-8)}`, venueId: `v${user % 500}`, channel: 'app', clientId: 'bench', requestKey: null, requestHash: null, at: Date.now() } });
  }
  return out;
}

async function round(design) {
  const started = performance.now();
  for (let b = 0; b < batches; b++) {
    const rows = batch();
    let sql = buildBatchSql(rows, { siteId: 'bench', owedMask: 31, replicate: design === 'log' }, Date.now());
    if (design === 'rows×2') {
      const outbox = rows.flatMap((r) => [`('p1',${r.id})`, `('p2',${r.id})`]).join(',');
      sql = sql.replace(/COMMIT$/, `INSERT INTO sync_outbox (peer, checkin_id) VALUES ${outbox};COMMIT`);
    }
    await conn.query(sql);
    if (design === 'rows×2') {
      // The sender deletes what each peer acknowledged.
      const ids = rows.map((r) => r.id).join(',');
      await conn.query(`DELETE FROM sync_outbox WHERE peer = 'p1' AND checkin_id IN (${ids}); DELETE FROM sync_outbox WHERE peer = 'p2' AND checkin_id IN (${ids})`);
    }
  }
  return (batches * rowsPerBatch) / ((performance.now() - started) / 1000);
}

const designs = ['none', 'log', 'rows×2'];
const results = Object.fromEntries(designs.map((d) => [d, []]));
try {
  await round('none'); // warm-up
  for (let r = 1; r <= rounds; r++) {
    for (const d of designs) results[d].push(await round(d));
    process.stdout.write(`round ${r}/${rounds}: ${designs.map((d) => `${d} ${Math.round(results[d].at(-1))}/s`).join(', ')}\n`);
  }
} finally {
  await conn.query(`DROP DATABASE ${database}`);
  await conn.end();
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const base = median(results.none);
console.table(designs.map((d) => ({ design: d, 'check-ins/s (median)': Math.round(median(results[d])), 'vs none': (median(results[d]) / base).toFixed(3) })));
