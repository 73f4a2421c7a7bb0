import { appendFile } from 'node:fs/promises';
import type { NotifierPort, OutboundMessage, SendOutcome } from '../core/ports/notifier.port.js';

const OK: SendOutcome = Object.freeze({ ok: true });

/**
 * Appends messages as JSON lines (`{"key","msisdn","text","at"}`), one write per batch.
 * Each line is under PIPE_BUF and written with O_APPEND, so several workers may share a file.
 */
export class FileNotifier implements NotifierPort {
  constructor(private readonly path: string) {}

  async send(messages: readonly OutboundMessage[]): Promise<SendOutcome[]> {
    if (messages.length === 0) return [];
    const at = Date.now();
    let text = '';
    for (const m of messages) text += JSON.stringify({ key: m.key, msisdn: m.msisdn, text: m.text, at }) + '\n';
    try {
      await appendFile(this.path, text);
      return messages.map(() => OK);
    } catch (e) {
      const failed: SendOutcome = { ok: false, code: 'NOTIFY_SINK_ERROR', message: (e as Error).message, ambiguous: false };
      return messages.map(() => failed);
    }
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
