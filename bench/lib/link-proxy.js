import { connect, createServer } from 'node:net';

/**
 * A loopback TCP proxy for one inter-site link: `cut()` drops every connection and refuses new
 * ones (a WAN link down), `heal()` forwards again. (The test suite's richer fault proxy is
 * TypeScript, test/helpers/tcp-proxy.ts; the bench stays plain JS.)
 */
export async function linkProxy(targetPort) {
  let down = false;
  const sockets = new Set();
  const server = createServer((client) => {
    if (down) return void client.destroy();
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: server.address().port,
    cut() {
      down = true;
      for (const s of sockets) s.destroy();
    },
    heal() {
      down = false;
    },
    close: () => new Promise((r) => server.close(() => r())),
  };
}

/** A port free now, for a site whose peers must know it before it starts. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
