import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const UNITS = join(ROOT, 'deploy', 'systemd');
const SYSCTL = join(ROOT, 'deploy', 'sysctl.d', '60-hopgate.conf');
const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), 'hopgate-units-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `Key=value` lines of one section of a unit file, comments left out. */
function section(file: string, name: string): string[] {
  const text = readFileSync(join(UNITS, file), 'utf8');
  const body = text.split(/^\[/m).find((s) => s.startsWith(`${name}]`)) ?? '';
  return body.split('\n').slice(1).filter((l) => l.trim() !== '' && !l.startsWith('#'));
}

function sysctl(): Map<string, string> {
  const lines = readFileSync(SYSCTL, 'utf8').split('\n');
  const settings = new Map<string, string>();
  lines.forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const [key, value] = line.split('=').map((s) => s.trim());
    // The one-line reason sits on the line above the setting.
    expect(lines[i - 1], `reason above ${key}`).toMatch(/^# \S.{20,}/);
    settings.set(key!, value!);
  });
  return settings;
}

describe('deploy/systemd units', () => {
  // The units start /usr/bin/node; where this run's node lives elsewhere (nvm, a CI image),
  // the copy verified names it instead, so verify checks everything else of the real file.
  for (const [file, unit] of [
    ['hopgate.service', 'hopgate.service'],
    ['hopgate@.service', 'hopgate@1.service'],
  ] as const) {
    it(`systemd-analyze verify accepts ${unit} without a warning`, async () => {
      const text = readFileSync(join(UNITS, file), 'utf8').replace('ExecStart=/usr/bin/node ', `ExecStart=${process.execPath} `);
      writeFileSync(join(dir, file), text);
      const r = await run('systemd-analyze', ['verify', '--man=no', join(dir, unit)]).catch((e: { code: number; stderr: string }) => e);
      expect('code' in r ? r.code : 0, r.stderr).toBe(0);
      // verify exits 0 on an unknown key or a bad value ("…, ignoring"): any output is a finding.
      expect(r.stderr.trim()).toBe('');
    });
  }

  it('verify does find a broken unit (the check above can fail)', async () => {
    const text = readFileSync(join(UNITS, 'hopgate.service'), 'utf8')
      .replace('ExecStart=/usr/bin/node ', `ExecStart=${process.execPath} `)
      .replace('ProtectSystem=strict', 'ProtectSytem=strict');
    writeFileSync(join(dir, 'broken.service'), text);
    const r = await run('systemd-analyze', ['verify', '--man=no', join(dir, 'broken.service')]);
    expect(r.stderr).toContain("Unknown key 'ProtectSytem'");
  });

  it('the single unit and the instance template differ only where instances must', () => {
    const differ = (lines: string[]) => lines.filter((l) => !/^(Description|SyslogIdentifier)=/.test(l));
    const single = differ([...section('hopgate.service', 'Service'), ...section('hopgate.service', 'Unit')]);
    const template = differ([...section('hopgate@.service', 'Service'), ...section('hopgate@.service', 'Unit')]);
    expect(template.filter((l) => !single.includes(l))).toEqual(['Environment=HOPGATE__HTTP__EXCLUSIVEPORT=false']);
    expect(single.filter((l) => !template.includes(l))).toEqual([]);
    for (const must of ['Type=notify', 'NotifyAccess=all', 'Restart=on-failure', 'User=hopgate', 'NoNewPrivileges=yes', 'ProtectSystem=strict', 'PrivateTmp=yes', 'ProtectHome=yes']) {
      expect(single).toContain(must);
    }
  });
});

describe('deploy/sysctl.d', () => {
  it('every setting has a reason and exists in this kernel', () => {
    const settings = sysctl();
    expect(settings.size).toBeGreaterThanOrEqual(8);
    for (const key of settings.keys()) {
      expect(existsSync(join('/proc/sys', key.replaceAll('.', '/'))), key).toBe(true);
    }
  });

  it("the units' open-files limit fits the kernel's", () => {
    const settings = sysctl();
    const limit = Number(section('hopgate.service', 'Service').find((l) => l.startsWith('LimitNOFILE='))!.split('=')[1]);
    expect(limit).toBeLessThanOrEqual(Number(settings.get('fs.nr_open')));
    // Two instances during a restart, and room for everything else on the host.
    expect(2 * limit).toBeLessThan(Number(settings.get('fs.file-max')));
    expect(Number(settings.get('net.core.somaxconn'))).toBeGreaterThanOrEqual(512);
  });
});
