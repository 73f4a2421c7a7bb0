import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON lines on stdout (one object per event), as log shippers expect. */
export function createLogger(level: string, base: Record<string, unknown>): Logger {
  return pino({ level, base, timestamp: pino.stdTimeFunctions.isoTime });
}
