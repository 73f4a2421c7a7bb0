import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { LinkProxy } from '../helpers/link-proxy.js';

// The link fault proxy against a real echo server on loopback.

let echo: Server;
let echoPort: number;
let proxy: LinkProxy;
const open: Socket[] = [];

beforeAll(async () => {
  echo = createServer((s) => {
    s.on('error', () => s.destroy());
    s.pipe(s);
  });
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise<void>((r) => echo.close(() => r()));
});

afterEach(async () => {
  for (const s of open.splice(0)) s.destroy();
  await proxy?.stop();
});

interface Client {
  readonly sock: Socket;
  received(): string;
  /** Resolves with what came back once `text` has, or with what came by `ms`. */
  waitFor(text: string, ms: number): Promise<string>;
  /** How the connection ended: 'end', 'reset' (ECONNRESET), 'refused', or 'open' by `ms`. */
  outcome(ms: number): Promise<string>;
}

function client(port: number): Client {
  const sock = connect(port, '127.0.0.1');
  open.push(sock);
  let got = '';
  let ended: string | null = null;
  const waiters: Array<() => void> = [];
  const wake = () => waiters.splice(0).forEach((w) => w());
  sock.on('data', (d) => {
    got += d.toString();
    wake();
  });
  sock.on('end', () => {
    ended ??= 'end';
    wake();
  });
  sock.on('error', (e: NodeJS.ErrnoException) => {
    ended = e.code === 'ECONNRESET' ? 'reset' : e.code === 'ECONNREFUSED' ? 'refused' : (e.code ?? 'error');
    wake();
  });
  sock.on('close', () => {
    ended ??= 'end';
    wake();
  });
  const until = (done: () => boolean, ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      const check = () => {
        if (done()) {
          clearTimeout(timer);
          resolve();
        } else waiters.push(check);
      };
      check();
    });
  return {
    sock,
    received: () => got,
    async waitFor(text, ms) {
      await until(() => got.includes(text), ms);
      return got;
    },
    async outcome(ms) {
      await until(() => ended !== null, ms);
      return ended ?? 'open';
    },
  };
}

async function connected(c: Client): Promise<void> {
  if (!c.sock.connecting) return;
  await new Promise<void>((resolve, reject) => {
    c.sock.once('connect', resolve);
    c.sock.once('error', reject);
  });
}

describe('link proxy', () => {
  it('forwards both ways when up, and adds latency per chunk each way', async () => {
    proxy = new LinkProxy(echoPort);
    await proxy.start();
    const fast = client(proxy.port);
    fast.sock.write('ping');
    expect(await fast.waitFor('ping', 5000)).toBe('ping');

    proxy.latency(150);
    const t0 = performance.now();
    fast.sock.write('slow');
    expect(await fast.waitFor('slow', 5000)).toBe('pingslow');
    // 150 ms to the echo server and 150 ms back: never faster than that.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(295);
  });

  it('black-holes: accepts, forwards nothing either way, and delivers the held bytes on heal', async () => {
    proxy = new LinkProxy(echoPort);
    await proxy.start();
    const before = client(proxy.port);
    await connected(before);
    proxy.blackhole();
    before.sock.write('held');
    const during = client(proxy.port);
    await connected(during); // accepted
    during.sock.write('new');
    expect(await before.waitFor('held', 400)).toBe('');
    expect(await during.waitFor('new', 100)).toBe('');
    expect(await before.outcome(0)).toBe('open');

    await proxy.heal();
    expect(await before.waitFor('held', 5000)).toBe('held');
    expect(await during.waitFor('new', 5000)).toBe('new');
  });

  it('resets open connections and new ones, then heals', async () => {
    proxy = new LinkProxy(echoPort);
    await proxy.start();
    const a = client(proxy.port);
    a.sock.write('x');
    await a.waitFor('x', 5000);
    proxy.reset();
    expect(await a.outcome(5000)).toBe('reset');
    const b = client(proxy.port);
    expect(await b.outcome(5000)).toBe('reset');

    await proxy.heal();
    const c = client(proxy.port);
    c.sock.write('back');
    expect(await c.waitFor('back', 5000)).toBe('back');
  });

  it('cuts: ends open connections, refuses new ones; heal listens again on the same port', async () => {
    proxy = new LinkProxy(echoPort);
    const port = await proxy.start();
    const a = client(port);
    a.sock.write('x');
    await a.waitFor('x', 5000);
    await proxy.cut();
    expect(await a.outcome(5000)).toBe('end');
    expect(await client(port).outcome(5000)).toBe('refused');

    await proxy.heal();
    expect(proxy.port).toBe(port);
    const c = client(port);
    c.sock.write('again');
    expect(await c.waitFor('again', 5000)).toBe('again');
  });

  it('holds connections until its target is known', async () => {
    proxy = new LinkProxy();
    await proxy.start();
    const a = client(proxy.port);
    a.sock.write('early');
    expect(await a.waitFor('early', 200)).toBe('');
    proxy.setTarget(echoPort);
    expect(await a.waitFor('early', 5000)).toBe('early');
  });
});
