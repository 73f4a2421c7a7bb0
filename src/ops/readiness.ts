import type { Logger } from '../observability/logger.js';
import type { SystemdNotifier } from './systemd-notify.js';

export interface Reachability {
  readonly mysql: boolean;
  readonly redis: boolean;
}

/**
 * Waits until MySQL and Redis answer, then logs `ready` and tells systemd `READY=1`. The
 * gateway listens before that (it serves 503s and stale figures without them), but a
 * unit that systemd calls started, or a rolling restart that stops the old process next,
 * must mean "able to take check-ins". While waiting, systemd's status line says what is
 * missing. Gives up silently when `stopping()` turns true.
 */
export async function announceWhenReachable(
  reachable: () => Promise<Reachability>,
  notifier: SystemdNotifier | null,
  log: Logger,
  stopping: () => boolean,
  retryMs = 500,
): Promise<boolean> {
  let lastMissing = '';
  for (;;) {
    if (stopping()) return false;
    const r = await reachable();
    if (stopping()) return false;
    const missing = [r.mysql ? '' : 'MySQL', r.redis ? '' : 'Redis'].filter(Boolean).join(' and ');
    if (missing === '') {
      log.info('ready: MySQL and Redis reachable');
      await notifier?.ready('serving');
      return true;
    }
    if (missing !== lastMissing) {
      lastMissing = missing;
      log.warn({ missing }, 'not ready: waiting for dependencies');
      void notifier?.status(`listening; waiting for ${missing}`);
    }
    await new Promise((resolve) => setTimeout(resolve, retryMs));
  }
}
