import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';

/** A gateway process started by `hopgate demo`. */
export interface SiteProcess {
  readonly siteId: string;
  readonly proc: ChildProcess;
  readonly port: number;
  readonly exited: Promise<number | null>;
  /** SIGTERM (drain), SIGKILL after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Runs `hopgate serve --migrate --config <file>` as a child process, its log lines going to
 * `logFile`; resolves once it logged "listening", rejects if it exits or stays silent first.
 */
export async function startSiteProcess(cli: string, siteId: string, configFile: string, logFile: string, env: NodeJS.ProcessEnv): Promise<SiteProcess> {
  const proc = spawn(process.execPath, [cli, 'serve', '--migrate', '--config', configFile], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream(logFile, { flags: 'a' });
  proc.stdout!.pipe(log);
  proc.stderr!.pipe(log);
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code) => resolve(code)));
  const stop = async (graceMs = 15_000): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  let seen = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${siteId} did not start in 120 s (log: ${logFile})`)), 120_000);
    const onData = (d: Buffer) => {
      seen = (seen + d.toString()).slice(-8000);
      const m = /"port":(\d+)[^\n]*"msg":"listening"/.exec(seen);
      if (m) {
        clearTimeout(timer);
        proc.stdout!.off('data', onData);
        resolve(Number(m[1]));
      }
    };
    proc.stdout!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${siteId} exited with ${code} before listening:\n${seen.split('\n').slice(-5).join('\n')}\n(log: ${logFile})`));
    });
  }).catch(async (e: unknown) => {
    await stop(2000);
    throw e;
  });
  return { siteId, proc, port, exited, stop };
}
