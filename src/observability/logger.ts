import { pino, type DestinationStream, type Logger } from 'pino';
import { privacyOptions } from './log-privacy.js';

export type { Logger };

/**
 * JSON lines on stdout (one object per event), as log shippers expect. Numbers, message texts
 * and secrets are masked (log-privacy.ts).
 */
export function createLogger(level: string, base: Record<string, unknown>, destination?: DestinationStream): Logger {
  const options = { level, base, timestamp: pino.stdTimeFunctions.isoTime, ...privacyOptions };
  return destination ? pino(options, destination) : pino(options);
}
