import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { SystemdNotifier } from '../../../src/ops/systemd-notify.js';

const log = pino({ level: 'silent' });

describe('SystemdNotifier.fromEnv', () => {
  it('is off without NOTIFY_SOCKET (not started by systemd)', () => {
    expect(SystemdNotifier.fromEnv({ WATCHDOG_USEC: '1000000' }, log)).toBeNull();
  });

  it('pings the watchdog at half its period (sd_watchdog_enabled)', () => {
    expect(SystemdNotifier.fromEnv({ NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '30000000' }, log)?.watchdogIntervalMs).toBe(15_000);
    expect(SystemdNotifier.fromEnv({ NOTIFY_SOCKET: '/run/x' }, log)?.watchdogIntervalMs).toBeNull();
  });

  it('leaves a watchdog meant for another process alone (WATCHDOG_PID)', () => {
    const env = { NOTIFY_SOCKET: '/run/x', WATCHDOG_USEC: '30000000' };
    expect(SystemdNotifier.fromEnv({ ...env, WATCHDOG_PID: String(process.pid + 1) }, log)?.watchdogIntervalMs).toBeNull();
    expect(SystemdNotifier.fromEnv({ ...env, WATCHDOG_PID: String(process.pid) }, log)?.watchdogIntervalMs).toBe(15_000);
  });
});
