import { connect, type Socket } from 'node:net';

/**
 * Sends hand-written bytes to the gateway and returns everything it answered until it
 * closed the connection or `waitMs` passed. For what fetch cannot send (chunked bodies,
 * malformed requests, slow senders).
 */
export function rawRequest(port: number, write: (sock: Socket) => void, waitMs = 3000): Promise<string> {
  return new Promise((resolve, reject) => {
    const sock = connect(port, '127.0.0.1');
    let out = '';
    const timer = setTimeout(() => {
      sock.destroy();
      resolve(out);
    }, waitMs);
    sock.on('connect', () => write(sock));
    sock.on('data', (d) => (out += d.toString()));
    sock.on('error', (e: NodeJS.ErrnoException) => {
      // The server may close while we are still writing; what it answered still counts.
      if (e.code !== 'EPIPE' && e.code !== 'ECONNRESET') {
        clearTimeout(timer);
        reject(e);
      }
    });
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(out);
    });
  });
}
