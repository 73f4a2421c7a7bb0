import { Gauge, type Registry } from 'prom-client';

/**
 * `hopgate_ready`: what `/readyz` answers (MySQL and Redis reachable, not draining), as a
 * gauge, so that an alert can fire on it without a probe exporter. The probe runs in the
 * background every `everyMs` and the scrape reads its last answer: a scrape must never wait
 * on a hung MySQL (it would outlive its deadline exactly when it matters). Draining counts
 * at once.
 */
export function registerReadiness(registry: Registry, probe: () => Promise<boolean>, draining: () => boolean, everyMs = 5000): { stop(): void } {
  let ready = false;
  let running = false;
  const run = (): void => {
    if (running) return;
    running = true;
    probe().then(
      (ok) => {
        ready = ok;
        running = false;
      },
      () => {
        ready = false;
        running = false;
      },
    );
  };
  run();
  const timer = setInterval(run, everyMs);
  timer.unref();
  new Gauge({
    name: 'hopgate_ready',
    help: '1 when the gateway is ready (MySQL and Redis reachable, not draining); probed every few seconds',
    registers: [registry],
    collect() {
      this.set(ready && !draining() ? 1 : 0);
    },
  });
  return { stop: () => clearInterval(timer) };
}
