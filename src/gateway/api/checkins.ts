import { createHash } from 'node:crypto';
import { BoundedMap } from '../../util/bounded-map.js';
import type { CheckInReply } from '../../core/checkin-service.js';
import type { HttpContext } from '../http-context.js';
import { route, type Route } from '../route.js';
import type { ApiDeps } from './deps.js';
import { jsonObjectBody } from './json-body.js';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;

/** A reply kept for replays of the same Idempotency-Key. */
interface KeptReply {
  readonly hash: string;
  readonly body: string;
}

/**
 * Replies kept per (client, key) so a replay gets the first reply byte for byte. Bounded:
 * the oldest entries are dropped first; a replay older than that is rebuilt from MySQL
 * (same check-in, current total and rank).
 */
type ReplyCache = BoundedMap<string, KeptReply | Promise<KeptReply | null>>;

/**
 * `POST /v1/checkins`. At a site without the `checkin` capability the route still exists
 * and refuses with 403 `CAPABILITY_DISABLED`, so a client sent to the wrong site learns why
 * instead of getting a bare 404.
 */
export function checkInRoutes(deps: ApiDeps, checkInsHere = true): Route[] {
  if (!checkInsHere) return [route('post', '/v1/checkins', refuseCheckIn)];
  const replies: ReplyCache = new BoundedMap(deps.replyCacheEntries);
  return [route('post', '/v1/checkins', (ctx) => postCheckIn(ctx, deps, replies), { onDeadline: answerDeadline })];
}

/**
 * At the deadline, a check-in not yet sent is never written (the writer drops it): 504
 * DEADLINE_EXCEEDED. One already sent may still commit on the server until the deadline
 * passes there: 504 CHECKIN_OUTCOME_UNKNOWN, and a retry with the same key tells.
 */
function answerDeadline(ctx: HttpContext): void {
  if (ctx.inDoubt) ctx.error('CHECKIN_OUTCOME_UNKNOWN', undefined, { 'Retry-After': '1' });
  else ctx.error('DEADLINE_EXCEEDED');
}

function refuseCheckIn(ctx: HttpContext): void {
  ctx.error('CAPABILITY_DISABLED');
}

async function postCheckIn(ctx: HttpContext, deps: ApiDeps, replies: ReplyCache): Promise<void> {
  const body = jsonObjectBody(ctx);
  if (!body) return;
  const requestKey = ctx.header('idempotency-key') ?? null;
  if (requestKey !== null && !IDEMPOTENCY_KEY.test(requestKey)) {
    ctx.error('VALIDATION_FAILED', 'Idempotency-Key must be 1–128 printable ASCII characters', undefined, { field: 'Idempotency-Key' });
    return;
  }
  const clientId = ctx.client!.id;
  const hash = requestKey === null ? null : fingerprint(body);
  if (requestKey === null) {
    await execute(ctx, deps, body, clientId, null, null);
    return;
  }
  const cacheKey = `${clientId}\u0000${requestKey}`;
  const kept = replies.get(cacheKey);
  if (kept !== undefined) {
    // The first request with this key finished, or is still being written: answer with its reply.
    const first = await kept;
    if (first) {
      if (first.hash !== hash) ctx.error('IDEMPOTENCY_KEY_REUSED');
      else ctx.json(200, first.body);
      return;
    }
  }
  let settle!: (k: KeptReply | null) => void;
  replies.set(cacheKey, new Promise<KeptReply | null>((resolve) => (settle = resolve)));
  try {
    const outcome = await execute(ctx, deps, body, clientId, requestKey, hash);
    if (outcome) replies.set(cacheKey, outcome);
    else replies.delete(cacheKey);
    settle(outcome);
  } catch (e) {
    replies.delete(cacheKey);
    settle(null);
    throw e;
  }
}

/** Runs the check-in and replies; returns the reply to keep for replays, if any. */
async function execute(
  ctx: HttpContext,
  deps: ApiDeps,
  body: Record<string, unknown>,
  clientId: string,
  requestKey: string | null,
  hash: string | null,
): Promise<KeptReply | null> {
  const result = await deps.checkIns.checkIn({
    msisdn: body.msisdn,
    venueId: body.venueId,
    channel: body.channel,
    clientId,
    requestKey,
    requestHash: hash,
    at: Date.now(),
    watch: ctx,
    requestId: ctx.requestId,
  });
  if (!result.ok) {
    const f = result.error;
    if (f.code === 'STORE_UNAVAILABLE') ctx.error(f.code, f.message, { 'Retry-After': String(f.retryAfterSec) });
    else if (f.code === 'CHECKIN_OUTCOME_UNKNOWN') ctx.error(f.code, undefined, { 'Retry-After': String(f.retryAfterSec) });
    else if (f.code === 'VALIDATION_FAILED') ctx.error(f.code, f.message, undefined, { field: f.field });
    else ctx.error(f.code, f.message);
    return null;
  }
  const text = JSON.stringify(renderCheckIn(result.value));
  ctx.json(result.value.replayed ? 200 : 201, text);
  return hash === null ? null : { hash, body: text };
}

export function renderCheckIn(r: CheckInReply): unknown {
  const c = r.checkIn;
  return {
    checkin: {
      id: c.id,
      msisdn: c.msisdn,
      venueId: c.venueId,
      site: c.site,
      channel: c.channel,
      at: new Date(c.at).toISOString(),
      rewarded: c.rewarded,
    },
    points: r.points,
    message: r.message,
  };
}

/** Fingerprint of what the request asks for, to tell a replay from a different request. */
function fingerprint(body: Record<string, unknown>): string {
  return createHash('sha256')
    .update(JSON.stringify([body.msisdn ?? null, body.venueId ?? null, body.channel ?? 'app']))
    .digest('hex')
    .slice(0, 32);
}
