import { Agent, request } from 'node:http';
import type { NotifierPort, OutboundMessage, SendOutcome } from '../core/ports/notifier.port.js';
import type { NotifySinkConfig } from './notify-config.js';

type KannelConfig = Extract<NotifySinkConfig, { type: 'kannel' }>;

const OK: SendOutcome = Object.freeze({ ok: true });
const RETRYABLE_NET = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * Kannel-style SMS gateway: `GET <url>?username&password&from&to&text` per message, over
 * keep-alive sockets, `concurrency` at a time. A 2xx is success. A refused connection or a
 * 5xx is retried (`retries` times, 100 ms doubling); a 4xx is not. A timeout is reported as
 * ambiguous (the gateway may have queued the SMS) and is not retried here.
 */
export class KannelNotifier implements NotifierPort {
  private readonly agent: Agent;
  private readonly base: URL;

  constructor(private readonly cfg: KannelConfig) {
    this.agent = new Agent({ keepAlive: true, maxSockets: cfg.concurrency });
    this.base = new URL(cfg.url);
  }

  async send(messages: readonly OutboundMessage[]): Promise<SendOutcome[]> {
    const out: SendOutcome[] = new Array(messages.length);
    let next = 0;
    const lanes: Promise<void>[] = [];
    const lane = async (): Promise<void> => {
      while (next < messages.length) {
        const i = next++;
        out[i] = await this.sendWithRetry(messages[i]!);
      }
    };
    for (let i = 0; i < Math.min(this.cfg.concurrency, messages.length); i++) lanes.push(lane());
    await Promise.all(lanes);
    return out;
  }

  close(): Promise<void> {
    this.agent.destroy();
    return Promise.resolve();
  }

  private async sendWithRetry(m: OutboundMessage): Promise<SendOutcome> {
    let outcome: SendOutcome = OK;
    for (let attempt = 0; attempt <= this.cfg.retries; attempt++) {
      if (attempt > 0) await sleep(100 * 2 ** (attempt - 1));
      const r = await this.sendOnce(m);
      outcome = r.outcome;
      if (!r.retry) break;
    }
    return outcome;
  }

  private sendOnce(m: OutboundMessage): Promise<{ outcome: SendOutcome; retry: boolean }> {
    const url = new URL(this.base);
    url.searchParams.set('username', this.cfg.username);
    url.searchParams.set('password', this.cfg.password);
    url.searchParams.set('from', this.cfg.from);
    url.searchParams.set('to', m.msisdn);
    url.searchParams.set('text', m.text);
    return new Promise((resolve) => {
      const req = request(url, { method: 'GET', agent: this.agent, timeout: this.cfg.timeoutMs }, (res) => {
        res.resume();
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) resolve({ outcome: OK, retry: false });
          else
            resolve({
              outcome: { ok: false, code: 'NOTIFY_HTTP_STATUS', message: `SMS gateway answered ${status}`, ambiguous: false },
              retry: status >= 500,
            });
        });
      });
      req.on('timeout', () => {
        req.destroy(new Error('timeout'));
        resolve({
          outcome: { ok: false, code: 'NOTIFY_TIMEOUT', message: `no answer within ${this.cfg.timeoutMs} ms`, ambiguous: true },
          retry: false,
        });
      });
      req.on('error', (e: NodeJS.ErrnoException) => {
        // Only errors before the request could have been taken are safe to retry.
        const retry = e.code !== undefined && RETRYABLE_NET.has(e.code);
        resolve({ outcome: { ok: false, code: 'NOTIFY_CONNECT', message: e.message, ambiguous: !retry }, retry });
      });
      req.end();
    });
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
