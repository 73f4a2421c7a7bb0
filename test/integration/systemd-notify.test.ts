import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REDIS } from '../helpers/env.js';
import { startGateway } from '../helpers/gateway-process.js';
import { NotifySocket } from '../helpers/notify-socket.js';
import { TcpProxy } from '../helpers/tcp-proxy.js';

// The gateway speaks systemd's notify protocol to a real unix datagram socket, as systemd
// would hand it to a Type=notify unit (deploy/systemd/hopgate.service).
describe('systemd notify protocol', () => {
  const notify = new NotifySocket();
  const redis = new TcpProxy(REDIS.port);

  beforeAll(async () => {
    await notify.start();
    await redis.start();
  });
  afterAll(async () => {
    notify.stop();
    await redis.stop();
  });

  it('READY=1 only once listening with MySQL and Redis reachable, WATCHDOG=1 pings, STOPPING=1 on SIGTERM', async () => {
    redis.set('refuse');
    const gw = await startGateway({
      config: { redis: { local: { port: redis.port }, readModel: { port: redis.port } } },
      env: { NOTIFY_SOCKET: notify.path, WATCHDOG_USEC: '400000' },
    });
    try {
      // Listening, but Redis is unreachable: systemd hears what is missing, not READY.
      await notify.waitFor(/^STATUS=listening; waiting for Redis$/);
      await notify.waitFor(/^WATCHDOG=1$/);
      expect(notify.assignments()).not.toContain('READY=1');
      expect((await gw.request('GET', '/healthz')).status).toBe(200);

      redis.set('pass');
      await notify.waitFor(/^READY=1$/);
      const ready = notify.messages.find((m) => m.includes('READY=1'))!;
      expect(ready).toContain(`MAINPID=${gw.proc.pid}`);
      expect(gw.output()).toContain('"msg":"ready: MySQL and Redis reachable"');
      expect((await gw.request('GET', '/readyz')).status).toBe(200);

      const pings = notify.assignments().filter((a) => a === 'WATCHDOG=1').length;
      await notify.waitFor(/^WATCHDOG=1$/);
      await new Promise((r) => setTimeout(r, 700));
      expect(notify.assignments().filter((a) => a === 'WATCHDOG=1').length).toBeGreaterThan(pings);
    } finally {
      expect(await gw.stop()).toBe(0);
    }
    const all = notify.assignments();
    expect(all).toContain('STOPPING=1');
    expect(all.indexOf('STOPPING=1')).toBeGreaterThan(all.indexOf('READY=1'));
  });
});
