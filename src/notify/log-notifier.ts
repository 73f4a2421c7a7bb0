import type { Logger } from 'pino';
import type { NotifierPort, OutboundMessage, SendOutcome } from '../core/ports/notifier.port.js';

const OK: SendOutcome = Object.freeze({ ok: true });

/** Default sink: every message is a log line. The number is logged, the text too (no secrets). */
export class LogNotifier implements NotifierPort {
  constructor(private readonly log: Logger) {}

  send(messages: readonly OutboundMessage[]): Promise<SendOutcome[]> {
    const out: SendOutcome[] = new Array(messages.length);
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      this.log.info({ key: m.key, msisdn: m.msisdn, text: m.text }, 'notification');
      out[i] = OK;
    }
    return Promise.resolve(out);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
