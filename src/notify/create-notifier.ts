import type { Logger } from 'pino';
import type { NotifierPort } from '../core/ports/notifier.port.js';
import { FileNotifier } from './file-notifier.js';
import { KannelNotifier } from './kannel-notifier.js';
import { LogNotifier } from './log-notifier.js';
import type { NotifySinkConfig } from './notify-config.js';

export function createNotifier(sink: NotifySinkConfig, log: Logger): NotifierPort {
  switch (sink.type) {
    case 'log':
      return new LogNotifier(log);
    case 'file':
      return new FileNotifier(sink.path);
    case 'kannel':
      return new KannelNotifier(sink);
  }
}
