import mysql from 'mysql2/promise';
import type { Config } from '../../config/schema.js';
import { MIGRATIONS, type Migration } from './migrations/index.js';
import { assertSupportedServer } from './server-version.js';

export interface MigrateReport {
  readonly applied: readonly string[];
  readonly alreadyApplied: number;
}

/**
 * Refuses a server hopgate cannot use (server-version.ts), creates the database if needed
 * and applies pending migrations, each recorded in
 * `schema_migrations`. A named lock serialises concurrent runs; running twice is harmless.
 */
export async function migrate(cfg: Config['mysql'], migrations: readonly Migration[] = MIGRATIONS): Promise<MigrateReport> {
  const conn = await mysql.createConnection({
    host: cfg.host,
    port: cfg.port,
    ...(cfg.socketPath ? { socketPath: cfg.socketPath } : {}),
    user: cfg.user,
    password: cfg.password,
    connectTimeout: cfg.connectTimeoutMs,
    multipleStatements: false,
  });
  try {
    await assertSupportedServer((sql) => conn.query(sql));
    await conn.query(`CREATE DATABASE IF NOT EXISTS \`${cfg.database}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
    await conn.query(`USE \`${cfg.database}\``);
    const [lockRows] = await conn.query('SELECT GET_LOCK(?, 30) AS got', [`hopgate-migrate-${cfg.database}`]);
    if ((lockRows as Array<{ got: number }>)[0]?.got !== 1) throw new Error('could not take the migration lock in 30 s');
    try {
      await conn.query(
        `CREATE TABLE IF NOT EXISTS schema_migrations (
           id INT UNSIGNED NOT NULL PRIMARY KEY, name VARCHAR(100) NOT NULL, applied_ms BIGINT NOT NULL
         ) ENGINE=InnoDB`,
      );
      const [rows] = await conn.query('SELECT id FROM schema_migrations');
      const done = new Set((rows as Array<{ id: number }>).map((r) => r.id));
      const applied: string[] = [];
      for (const m of migrations) {
        if (done.has(m.id)) continue;
        // MySQL DDL is not transactional: each statement commits. Statements are written to
        // be re-runnable where that matters, and the migration is recorded only after all ran.
        for (const statement of m.up) await conn.query(statement);
        await conn.query('INSERT INTO schema_migrations (id, name, applied_ms) VALUES (?, ?, ?)', [m.id, m.name, Date.now()]);
        applied.push(`${String(m.id).padStart(3, '0')}-${m.name}`);
      }
      return { applied, alreadyApplied: done.size };
    } finally {
      await conn.query('SELECT RELEASE_LOCK(?)', [`hopgate-migrate-${cfg.database}`]);
    }
  } finally {
    await conn.end();
  }
}
