import { Gauge, type Registry } from 'prom-client';

/**
 * `hopgate_ready`: what `/readyz` answers (MySQL and Redis reachable, not draining), as a
 * gauge evaluated at each scrape, so that an alert can fire on it without a probe exporter.
 */
export function registerReadiness(registry: Registry, ready: () => Promise<boolean>): void {
  new Gauge({
    name: 'hopgate_ready',
    help: '1 when the gateway is ready (MySQL and Redis reachable, not draining), evaluated at each scrape',
    registers: [registry],
    async collect() {
      this.set((await ready()) ? 1 : 0);
    },
  });
}
