import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A `redis-server` this process started (the demo's read-model chain, tests' replicas). */
export interface RedisServerProcess {
  readonly port: number;
  readonly proc: ChildProcess;
  /** Resolves with the exit code (or null after a signal) once the process has exited. */
  readonly exited: Promise<number | null>;
  /** SIGTERM, SIGKILL after 5 s; removes its working directory. */
  stop(opts?: { signal?: NodeJS.Signals }): Promise<void>;
}

export interface RedisServerOptions {
  readonly port: number;
  /** Makes it a replica of `host:port` (`replicaof`). */
  readonly replicaOf?: { readonly host: string; readonly port: number };
  readonly bind?: string;
}

/**
 * Starts a throw-away `redis-server`: loopback only, no persistence, its own temporary
 * directory. Replication is tuned for a read model that should say quickly when it falls
 * behind: the master pings its replicas every second (`repl-ping-replica-period 1`, so a
 * replica's `master_last_io_seconds_ago` stays near 0 on a healthy idle link), and a full
 * sync streams at once (diskless, no delay). Resolves when it answers PING.
 */
export async function startRedisServer(opts: RedisServerOptions): Promise<RedisServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'hopgate-redis-'));
  const args = [
    '--port', String(opts.port),
    '--bind', opts.bind ?? '127.0.0.1',
    '--save', '',
    '--appendonly', 'no',
    '--dir', dir,
    '--daemonize', 'no',
    '--logfile', '',
    '--repl-ping-replica-period', '1',
    '--repl-diskless-sync', 'yes',
    '--repl-diskless-sync-delay', '0',
    '--repl-timeout', '5',
    ...(opts.replicaOf ? ['--replicaof', opts.replicaOf.host, String(opts.replicaOf.port)] : []),
  ];
  const proc = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
  proc.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
  const exited = new Promise<number | null>((resolve) => {
    proc.on('error', () => resolve(-1));
    proc.on('exit', (code) => resolve(code));
  });
  const stop = async ({ signal = 'SIGTERM' }: { signal?: NodeJS.Signals } = {}): Promise<void> => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
    const timer = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  while (!(await answersPing(opts.port))) {
    if (proc.exitCode !== null || proc.signalCode !== null || Date.now() > deadline) {
      await stop({ signal: 'SIGKILL' });
      throw new Error(`redis-server on port ${opts.port} did not start:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { port: opts.port, proc, exited, stop };
}

/** One inline PING on a fresh connection: true on `+PONG`. */
export function answersPing(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    let got = '';
    const done = (ok: boolean) => {
      clearTimeout(timer);
      s.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    s.on('connect', () => s.write('PING\r\n'));
    s.on('data', (d) => {
      got += d.toString();
      if (got.includes('\r\n')) done(got.startsWith('+PONG'));
    });
    s.on('error', () => done(false));
  });
}
