import { Pool } from 'undici';
import type { SyncBatchReply } from './protocol.js';
import { HEADER_ORIGIN, HEADER_SIGNATURE, HEADER_TIMESTAMP, SYNC_PATH } from './protocol.js';
import { sign } from './signing.js';

/** Why an attempt failed, as operators read it in `/admin/sync` (`lastError`). */
export class SendError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * One peer's HTTP/1.1 keep-alive connection pool (undici). Each attempt is signed afresh
 * (the timestamp is part of the signature) and bounded by `timeoutMs` from start to answer:
 * connect, send, the peer's apply, the reply.
 */
export class PeerTransport {
  private readonly pool: Pool;
  private readonly path: string;

  constructor(
    readonly url: string,
    private readonly origin: string,
    private readonly secret: string,
    private readonly timeoutMs: number,
  ) {
    const u = new URL(url);
    this.path = `${u.pathname.replace(/\/$/, '')}${SYNC_PATH}`;
    this.pool = new Pool(u.origin, {
      connections: 2,
      keepAliveTimeout: 30_000,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      connect: { timeout: Math.min(timeoutMs, 3000) },
    });
  }

  async send(body: string, nowMs: number): Promise<SyncBatchReply> {
    const signal = AbortSignal.timeout(this.timeoutMs);
    let statusCode: number;
    let text: string;
    try {
      const res = await this.pool.request({
        path: this.path,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [HEADER_ORIGIN]: this.origin,
          [HEADER_TIMESTAMP]: String(nowMs),
          [HEADER_SIGNATURE]: sign(this.secret, nowMs, body),
        },
        body,
        signal,
      });
      statusCode = res.statusCode;
      text = await res.body.text();
    } catch (e) {
      const err = e as { code?: string; name?: string; message?: string };
      if (signal.aborted) throw new SendError('TIMEOUT', `no answer within ${this.timeoutMs} ms`);
      throw new SendError(err.code ?? err.name ?? 'NETWORK', err.message ?? 'network error');
    }
    if (statusCode !== 200) {
      let code = `HTTP_${statusCode}`;
      try {
        code = (JSON.parse(text) as { error?: { code?: string } }).error?.code ?? code;
      } catch {
        // not one of ours (a proxy's page): keep the status
      }
      throw new SendError(code, `the peer answered ${statusCode}: ${text.slice(0, 200)}`);
    }
    try {
      const reply = JSON.parse(text) as SyncBatchReply;
      if (typeof reply.applied !== 'number' || !Array.isArray(reply.rejected)) throw new Error('shape');
      return reply;
    } catch {
      throw new SendError('BAD_REPLY', `the peer's reply is not a batch reply: ${text.slice(0, 200)}`);
    }
  }

  close(): Promise<void> {
    return this.pool.destroy();
  }
}
