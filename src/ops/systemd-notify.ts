import { execFile } from 'node:child_process';
import type { Logger } from '../observability/logger.js';

/**
 * Speaks systemd's notify protocol (sd_notify(3): `READY=1`, `STOPPING=1`, `WATCHDOG=1`,
 * `STATUS=…` datagrams to the unix socket named by `NOTIFY_SOCKET`) through the
 * `systemd-notify` tool.
 *
 * Why the tool and not a package: Node has no unix datagram sockets, and the npm packages
 * that add them (`sd-notify`, `unix-dgram`) are native addons built by node-gyp at install
 * time (libsystemd headers, a compiler, install scripts, all of which npm ci here refuses
 * or lacks). `systemd-notify` ships with systemd itself, so it is wherever the unit runs.
 * Its messages come from a child process, not the main PID: the unit needs
 * `NotifyAccess=all`. systemd ≥ 246 makes the tool wait (a `BARRIER=1` round trip) until
 * the manager has read the message, so the child is still alive, and attributable to the
 * unit's cgroup, when its message is processed.
 */
export class SystemdNotifier {
  private watchdogTimer: NodeJS.Timeout | null = null;
  private inFlight = 0;

  private constructor(
    private readonly log: Logger,
    private readonly env: NodeJS.ProcessEnv,
    /** Interval of `WATCHDOG=1` pings, or null when the unit has no watchdog. */
    readonly watchdogIntervalMs: number | null,
  ) {}

  /** A notifier when systemd started this process with a notify socket, else null. */
  static fromEnv(env: NodeJS.ProcessEnv, log: Logger): SystemdNotifier | null {
    if (!env.NOTIFY_SOCKET) return null;
    return new SystemdNotifier(log, env, watchdogInterval(env));
  }

  /** Listening and every dependency reachable. Also names this process as the main PID. */
  ready(status: string): Promise<boolean> {
    return this.send(['--ready', `--pid=${process.pid}`, `--status=${status}`]);
  }

  /** Draining begins: systemd shows "deactivating" and waits for the exit. */
  stopping(): Promise<boolean> {
    return this.send(['STOPPING=1', 'STATUS=draining']);
  }

  status(text: string): Promise<boolean> {
    return this.send([`--status=${text}`]);
  }

  /**
   * Pings the watchdog at half its period (sd_watchdog_enabled(3)) from the main thread's
   * event loop: a loop stuck for the whole period (a busy loop, a hung native call) misses
   * the pings and systemd restarts the process. A ping still under way is not doubled.
   */
  startWatchdog(): void {
    if (this.watchdogIntervalMs === null || this.watchdogTimer) return;
    this.watchdogTimer = setInterval(() => {
      if (this.inFlight === 0) void this.send(['WATCHDOG=1']);
    }, this.watchdogIntervalMs);
    this.watchdogTimer.unref();
  }

  stopWatchdog(): void {
    if (this.watchdogTimer) clearInterval(this.watchdogTimer);
    this.watchdogTimer = null;
  }

  private send(args: string[]): Promise<boolean> {
    this.inFlight++;
    return new Promise((resolve) => {
      execFile('systemd-notify', args, { env: this.env, timeout: 10_000 }, (err, _stdout, stderr) => {
        this.inFlight--;
        if (err) {
          const hint = (err as NodeJS.ErrnoException).code === 'ENOENT' ? ' (systemd-notify not installed: apt-get install systemd)' : '';
          this.log.warn({ args, err: `${err.message}${hint}`, stderr: stderr.trim() }, 'systemd notification not sent');
        }
        resolve(!err);
      });
    });
  }
}

/** `WATCHDOG_USEC` / 2 in ms when the watchdog is on and meant for this process. */
function watchdogInterval(env: NodeJS.ProcessEnv): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isFinite(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID && Number(env.WATCHDOG_PID) !== process.pid) return null;
  return Math.max(1, Math.floor(usec / 2000));
}
