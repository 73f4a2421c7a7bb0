import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { keyPair, runCli, testConfig } from '../helpers/gateway-process.js';

const dir = mkdtempSync(join(tmpdir(), 'hopgate-config-check-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function writeConfig(name: string, config: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, JSON.stringify(config));
  return file;
}

const PEER_SECRET = 'peer-secret-0123456789abcdef0123456789';
const USSD_SECRET = 'ussd-secret-0123456789';
const KANNEL_PASSWORD = 'kannel-pw-42';
const URL_PASSWORD = 'url-pw-77';

describe('hopgate config check', () => {
  it('prints the effective config: defaults filled in, HOPGATE__ overrides applied, secrets masked', async () => {
    const client = keyPair();
    const config = {
      ...testConfig('hg_cfg', 'x:', client, keyPair()),
      peers: [{ siteId: 'msa', url: 'https://msa.example:8443', secret: PEER_SECRET }],
      ussd: { vendors: { hubtel: { secret: USSD_SECRET } } },
      notify: {
        sink: { type: 'kannel', url: `http://bearer:${URL_PASSWORD}@127.0.0.1:13013/cgi-bin/sendsms`, username: 'u', password: KANNEL_PASSWORD, from: 'HOP' },
      },
    };
    const r = await runCli(['config', 'check', writeConfig('ok.json', config)], {
      HOPGATE__MYSQL__PASSWORD: 'mysql-pw-from-env',
      HOPGATE__HTTP__PORT: '9191',
    });
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('valid');
    expect(r.out).toContain('environment overrides applied: HOPGATE__HTTP__PORT, HOPGATE__MYSQL__PASSWORD');
    expect(r.out).toMatch(/^ {2}port: 9191$/m); // the override
    expect(r.out).toMatch(/^ {2}maxBatchRows: 256$/m); // a default the file does not set
    expect(r.out).toMatch(/^ {2}password: "?\*{8}"?$/m); // mysql.password
    expect(r.out).toContain('secretHeader: x-hopgate-secret'); // where a secret travels is no secret
    expect(r.out).toContain(client.sha256); // key hashes reveal nothing
    expect(r.out).toContain('http://bearer:********@127.0.0.1:13013/cgi-bin/sendsms');
    for (const secret of ['mysql-pw-from-env', PEER_SECRET, USSD_SECRET, KANNEL_PASSWORD, URL_PASSWORD]) {
      expect(r.out).not.toContain(secret);
    }
  });

  it('names every problem by its key and exits 78', async () => {
    const config = testConfig('hg_cfg', 'x:', keyPair(), keyPair()) as Record<string, any>;
    config.siteNumber = 5000;
    config.http.requestDeadlineMs = -1;
    config.writer = { maxBatchRows: 'many' };
    config.peers = [{ siteId: 'msa', url: 'not a url', secret: 'short' }];
    const r = await runCli(['config', 'check', writeConfig('bad.json', config)], { HOPGATE__REDIS__LOCAL__PORT: '70000' });
    expect(r.code).toBe(78);
    for (const key of ['siteNumber', 'http.requestDeadlineMs', 'writer.maxBatchRows', 'peers.0.url', 'peers.0.secret', 'redis.local.port']) {
      expect(r.out).toContain(`${key}: `);
    }
    // The count heads the list: one indented line per problem.
    const count = Number(/(\d+) problem\(s\)/.exec(r.out)?.[1]);
    expect(count).toBe(r.out.split('\n').filter((l) => /^ {2}\S/.test(l)).length);
    expect(r.out).not.toContain('effective configuration');
  });

  it('refuses a file that is not there or not YAML', async () => {
    const missing = await runCli(['config', 'check', join(dir, 'nope.yaml')]);
    expect(missing.code).toBe(78);
    expect(missing.out).toContain('cannot read');
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'siteId: [unclosed');
    const broken = await runCli(['config', 'check', file]);
    expect(broken.code).toBe(78);
    expect(broken.out).toContain('not valid YAML');
  });
});
