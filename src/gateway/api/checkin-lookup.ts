import type { CheckIn } from '../../core/checkin.js';
import type { HttpContext } from '../http-context.js';
import { route, type Route } from '../route.js';

export interface CheckInLookupDeps {
  readonly findById: (id: string) => Promise<CheckIn | null>;
}

const CHECKIN_ID = /^[1-9][0-9]{0,18}$/;

/**
 * `GET /v1/checkins/{id}`: a check-in as this site holds it, whichever site made it — so
 * operators and tests can see from outside that a check-in has replicated here.
 */
export function checkInLookupRoutes(deps: CheckInLookupDeps): Route[] {
  return [route('get', '/v1/checkins/:id', (ctx) => getCheckIn(ctx, deps))];
}

async function getCheckIn(ctx: HttpContext, deps: CheckInLookupDeps): Promise<void> {
  const id = ctx.params[0] ?? '';
  if (!CHECKIN_ID.test(id) || BigInt(id) >= 1n << 63n) {
    ctx.error('VALIDATION_FAILED', 'a check-in id is a decimal 63-bit integer', undefined, { field: 'id' });
    return;
  }
  let checkIn: CheckIn | null;
  try {
    checkIn = await deps.findById(id);
  } catch {
    ctx.error('STORE_UNAVAILABLE', undefined, { 'Retry-After': '1' });
    return;
  }
  if (checkIn === null) return void ctx.error('CHECKIN_NOT_FOUND', `no check-in ${id} at this site`);
  ctx.json(200, {
    id: checkIn.id,
    msisdn: checkIn.msisdn,
    venueId: checkIn.venueId,
    site: checkIn.site,
    channel: checkIn.channel,
    at: new Date(checkIn.at).toISOString(),
    rewarded: checkIn.rewarded,
  });
}
