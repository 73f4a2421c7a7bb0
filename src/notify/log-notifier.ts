import type { Logger } from 'pino';
import type { NotifierPort, OutboundMessage, SendOutcome } from '../core/ports/notifier.port.js';
import { maskMsisdn } from '../core/msisdn.js';

const OK: SendOutcome = Object.freeze({ ok: true });

/**
 * Default sink: every message is a log line — what was sent and to whom, never the number in
 * full nor the text (a subscriber's points and whereabouts): the `file` sink keeps those.
 */
export class LogNotifier implements NotifierPort {
  constructor(private readonly log: Logger) {}

  send(messages: readonly OutboundMessage[]): Promise<SendOutcome[]> {
    const out: SendOutcome[] = new Array(messages.length);
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i]!;
      const line: Record<string, unknown> = { key: m.key, to: maskMsisdn(m.msisdn), chars: m.text.length };
      if (m.requestId !== undefined) line.reqId = m.requestId;
      this.log.info(line, 'notification');
      out[i] = OK;
    }
    return Promise.resolve(out);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
