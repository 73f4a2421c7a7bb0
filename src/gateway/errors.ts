/**
 * The gateway's one registry of error codes. Every code has a fixed HTTP status and a
 * default message; API replies carry `{"error": {"code", "message"}}`. The README's error
 * table is checked against this registry by a test: add a code here, document it there.
 */
export const ERRORS = {
  BAD_JSON: { status: 400, message: 'the request body is not valid JSON' },
  BAD_REQUEST: { status: 400, message: 'the request is malformed' },
  UNAUTHENTICATED: { status: 401, message: 'a valid X-Api-Key header is required' },
  FORBIDDEN: { status: 403, message: 'this API key may not do that' },
  SOURCE_FORBIDDEN: { status: 403, message: 'this source address may not read this endpoint' },
  CAPABILITY_DISABLED: { status: 403, message: 'this site does not take check-ins; send them to a site that does' },
  NOT_FOUND: { status: 404, message: 'no such resource' },
  USER_NOT_FOUND: { status: 404, message: 'no such user' },
  VENUE_UNKNOWN: { status: 404, message: 'no such venue' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'method not allowed on this resource' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'the request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'the request body must be application/json' },
  VALIDATION_FAILED: { status: 422, message: 'the request is not valid' },
  VENUE_NOT_FOUND: { status: 422, message: 'the venue does not exist' },
  VENUE_CLOSED: { status: 422, message: 'the venue is closed' },
  IDEMPOTENCY_KEY_REUSED: { status: 422, message: 'this Idempotency-Key was used with a different request' },
  RATE_LIMITED: { status: 429, message: 'too many requests' },
  INTERNAL: { status: 500, message: 'internal error' },
  STORE_UNAVAILABLE: { status: 503, message: 'the check-in store is unavailable; retry later' },
  READ_MODEL_UNAVAILABLE: { status: 503, message: 'the read model is unavailable; retry later' },
  SHUTTING_DOWN: { status: 503, message: 'the gateway is shutting down' },
  DEADLINE_EXCEEDED: { status: 504, message: 'the request did not complete within its deadline' },
  CHECKIN_OUTCOME_UNKNOWN: {
    status: 504,
    message: 'the check-in was sent to the store but its outcome is not known yet; retrying with the same Idempotency-Key is safe (it is recorded at most once)',
  },
  // USSD and SMS channels (docs/ussd.md). Subscribers never see these: a request that
  // reaches a subscriber is answered with a polite screen in the vendor's dialect.
  USSD_MALFORMED_REQUEST: { status: 400, message: 'the USSD request cannot be attributed to a session' },
  SMS_MALFORMED_REQUEST: { status: 400, message: 'the SMS request needs from and text' },
  CHANNEL_FORBIDDEN: { status: 403, message: 'this source may not call this channel' },
  CHANNEL_DISABLED: { status: 404, message: 'this channel is disabled at this site' },
  CHECKIN_NOT_FOUND: { status: 404, message: 'no such check-in at this site' },
  // Replication between sites (README, "Sites and replication"). Refused batches apply nothing.
  SYNC_UNSIGNED: { status: 401, message: 'a sync batch must carry its origin, timestamp and signature' },
  SYNC_BAD_SIGNATURE: { status: 401, message: 'the sync batch signature does not match' },
  SYNC_STALE: { status: 401, message: 'the sync batch timestamp is outside the replay window' },
  SYNC_UNKNOWN_PEER: { status: 403, message: 'the sending site is not a peer of this site' },
  SYNC_MALFORMED_BATCH: { status: 400, message: 'the sync batch is not a well-formed batch for this site' },
  SYNC_DISABLED: { status: 404, message: 'this site has no peers' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

export function errorBody(code: ErrorCode, message?: string, details?: Record<string, unknown>): string {
  return JSON.stringify({ error: { code, message: message ?? ERRORS[code].message, ...details } });
}
