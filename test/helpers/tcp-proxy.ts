import { createServer, connect, type Server, type Socket } from 'node:net';

export type ProxyMode = 'pass' | 'refuse' | 'stall';

/**
 * A loopback TCP proxy in front of a real service, for fault injection:
 * `pass` forwards, `refuse` drops every connection (as if the service died), `stall`
 * accepts and holds connections without forwarding a byte (as if the network hung).
 */
export class TcpProxy {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  /** Client socket → its upstream (absent while a client accepted in `stall` waits for one). */
  private readonly pairs = new Map<Socket, Socket | null>();
  mode: ProxyMode = 'pass';
  port = 0;

  constructor(private readonly targetPort: number, private readonly targetHost = '127.0.0.1') {}

  async start(): Promise<number> {
    this.server = createServer((client) => this.onClient(client));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server!.address() as { port: number }).port;
    return this.port;
  }

  /**
   * Switches mode. `refuse` also cuts every open connection; `stall` freezes open
   * connections mid-stream (bytes stop flowing both ways, nothing is closed).
   */
  set(mode: ProxyMode): void {
    this.mode = mode;
    if (mode === 'refuse') {
      for (const s of this.sockets) s.destroy();
      this.sockets.clear();
    } else if (mode === 'stall') {
      for (const s of this.sockets) {
        s.unpipe();
        s.pause();
      }
    }
  }

  /**
   * Heals a stall: bytes held in either direction flow on, in order, as if a frozen link
   * came back (clients accepted during the stall are connected upstream now).
   */
  resume(): void {
    this.mode = 'pass';
    for (const [client, upstream] of this.pairs) {
      if (upstream === null) this.connectUpstream(client);
      else {
        client.pipe(upstream);
        upstream.pipe(client);
      }
    }
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private onClient(client: Socket): void {
    if (this.mode === 'refuse') {
      client.destroy();
      return;
    }
    this.sockets.add(client);
    client.on('close', () => {
      this.sockets.delete(client);
      this.pairs.delete(client);
    });
    client.on('error', () => client.destroy());
    if (this.mode === 'stall') {
      this.pairs.set(client, null);
      return;
    }
    this.connectUpstream(client);
  }

  private connectUpstream(client: Socket): void {
    const upstream = connect(this.targetPort, this.targetHost);
    this.pairs.set(client, upstream);
    this.sockets.add(upstream);
    upstream.on('close', () => {
      this.sockets.delete(upstream);
      client.destroy();
    });
    upstream.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
