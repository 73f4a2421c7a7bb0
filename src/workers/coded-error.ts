import type { EventErrorCode } from './errors.js';

/** An unexpected condition inside a handler that still maps to a stable code. */
export class EventError extends Error {
  constructor(
    readonly code: EventErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EventError';
  }
}
