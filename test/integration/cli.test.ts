import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { dropDatabase, mysqlAdmin, uniqueName } from '../helpers/env.js';
import { keyPair, runCli, startGateway, testConfig } from '../helpers/gateway-process.js';

const dir = mkdtempSync(join(tmpdir(), 'hopgate-cli-'));
const databases: string[] = [];

afterAll(async () => {
  for (const db of databases) await dropDatabase(db);
  rmSync(dir, { recursive: true, force: true });
});

function writeConfig(name: string, config: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

describe('hopgate CLI', () => {
  it('migrate creates the schema and is harmless when run again', async () => {
    const db = uniqueName('hg_t');
    databases.push(db);
    const file = writeConfig('m.json', testConfig(db, 'x:', keyPair(), keyPair()));
    const first = await runCli(['migrate', '--config', file]);
    expect(first.code).toBe(0);
    expect(first.out).toContain('applied: 001-base, 002-events, 003-drop-unused-checkin-index');
    const second = await runCli(['migrate', '--config', file]);
    expect(second.code).toBe(0);
    expect(second.out).toMatch(/schema up to date/);
    const c = await mysqlAdmin(db);
    try {
      const [rows] = await c.query('SELECT id, name FROM schema_migrations ORDER BY id');
      expect((rows as Array<{ id: number }>)[0]).toMatchObject({ id: 1, name: 'base' });
    } finally {
      await c.end();
    }
  });

  it('seed inserts venues and users in bulk, idempotently', async () => {
    const db = uniqueName('hg_t');
    databases.push(db);
    const file = writeConfig('s.json', testConfig(db, 'x:', keyPair(), keyPair()));
    expect((await runCli(['migrate', '--config', file])).code).toBe(0);
    for (let i = 0; i < 2; i++) {
      const r = await runCli(['seed', '--config', file, '--venues', '2500', '--users', '4100', '--no-progress']);
      expect(r.code).toBe(0);
    }
    const c = await mysqlAdmin(db);
    try {
      const [[v], [u]] = await Promise.all([c.query('SELECT COUNT(*) AS n FROM venues'), c.query('SELECT COUNT(*) AS n FROM users')]);
      expect(Number((v as Array<{ n: number }>)[0]!.n)).toBe(2500);
      expect(Number((u as Array<{ n: number }>)[0]!.n)).toBe(4100);
    } finally {
      await c.end();
    }
  });

  it('refuses an invalid config with errors that name the key, exit code 78', async () => {
    const config = testConfig('x', 'x:', keyPair(), keyPair()) as Record<string, any>;
    config.mysql.port = 'three';
    config.siteNumber = 5000;
    const r = await runCli(['serve', '--config', writeConfig('bad.json', config)]);
    expect(r.code).toBe(78);
    expect(r.out).toContain('mysql.port');
    expect(r.out).toContain('siteNumber');
  });

  it('applies HOPGATE__ environment overrides before validating', async () => {
    const r = await runCli(['serve', '--config', writeConfig('env.json', testConfig('x', 'x:', keyPair(), keyPair()))], {
      HOPGATE__HTTP__PORT: '70000',
    });
    expect(r.code).toBe(78);
    expect(r.out).toContain('http.port');
  });

  it('keys create prints a key and the hash entry that accepts it', async () => {
    const r = await runCli(['keys', 'create', '--id', 'partner-a', '--role', 'client']);
    expect(r.code).toBe(0);
    const key = /^\s+(hg_cli_\S+)$/m.exec(r.out)?.[1];
    const sha = /sha256: ([0-9a-f]{64})/.exec(r.out)?.[1];
    expect(key).toBeDefined();
    const gw = await startGateway({ config: { auth: { apiKeys: [{ id: 'partner-a', role: 'client', sha256: sha }] } } });
    try {
      expect((await gw.request('GET', '/v1/leaderboards/global', undefined, { 'x-api-key': key! })).status).toBe(200);
      expect((await gw.request('GET', '/v1/leaderboards/global', undefined, { 'x-api-key': key! + 'x' })).status).toBe(401);
    } finally {
      await gw.stop();
    }
  });

  it('refuses to share a busy port (exclusive listen)', async () => {
    const first = await startGateway();
    try {
      await expect(startGateway({ config: { http: { port: first.port } } })).rejects.toThrow(/cannot listen/);
    } finally {
      await first.stop();
    }
  });
});
