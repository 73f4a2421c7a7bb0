/**
 * Stable codes of post-processing failures. They are stored in `checkin_work.last_error`,
 * reported by workers as data, counted in metrics and listed in docs/events.md.
 */
export const EVENT_ERRORS = {
  EVENT_VENUE_UNKNOWN: 'The check-in names a venue this site does not know; points cannot be placed in a city.',
  EVENT_WAITING_FOR_POINTS: 'points.award has not completed for this check-in; the dependent event waits for it.',
  EVENT_DB_ERROR: 'A MySQL statement failed (connection lost, lock wait timeout, constraint).',
  EVENT_REDIS_ERROR: 'A read-model (Redis) command failed or timed out.',
  EVENT_TASK_LOST: 'The worker running the batch died or the task was rejected; the batch will be retried.',
  EVENT_WORKER_INIT: 'The worker could not create its connections from the configuration.',
  EVENT_HANDLER_CRASH: 'A handler threw an unexpected error (a bug); the event is retried and then parked.',
  NOTIFY_IN_FLIGHT: 'Another worker holds the claim on this notification; retried later.',
  NOTIFY_AWARD_PENDING: "At a site without points: the points site has not published this check-in's award yet (sync or the read-model replica behind); retried, and confirmed without figures on the last attempt.",
  NOTIFY_TIMEOUT: 'The SMS gateway did not answer within notify.sink.timeoutMs.',
  NOTIFY_HTTP_STATUS: 'The SMS gateway answered with an error status.',
  NOTIFY_CONNECT: 'The SMS gateway could not be reached.',
  NOTIFY_SINK_ERROR: 'The log/file sink could not write the message.',
} as const;

export type EventErrorCode = keyof typeof EVENT_ERRORS;

export interface EventFailure {
  readonly code: EventErrorCode;
  readonly message: string;
}

export function failure(code: EventErrorCode, message: string): EventFailure {
  return { code, message };
}

/** Maps an unexpected exception from a driver to a failure value. */
export function failureFromError(e: unknown, fallback: EventErrorCode): EventFailure {
  const message = e instanceof Error ? e.message : String(e);
  return { code: fallback, message: message.slice(0, 200) };
}
