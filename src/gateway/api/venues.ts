import type { Venue } from '../../core/checkin.js';
import { isCityName, isVenueId, UNPRINTABLE } from '../../core/checkin.js';
import type { HttpContext } from '../http-context.js';
import { route, type Route } from '../route.js';
import type { ApiDeps } from './deps.js';
import { jsonObjectBody } from './json-body.js';

export function venueRoutes(deps: ApiDeps): Route[] {
  return [
    route('get', '/v1/venues/:id', (ctx) => getVenue(ctx, deps)),
    route('put', '/v1/venues/:id', (ctx) => putVenue(ctx, deps), { auth: 'admin' }),
  ];
}

async function getVenue(ctx: HttpContext, deps: ApiDeps): Promise<void> {
  const id = ctx.params[0] ?? '';
  const venue = isVenueId(id) ? deps.venues.get(id) : undefined;
  if (!venue) {
    ctx.error('VENUE_UNKNOWN', `no venue ${id}`);
    return;
  }
  let skipper = null;
  let stale = false;
  try {
    skipper = await deps.readModel.skipper(venue.id);
  } catch {
    stale = true;
    deps.metrics.readModelErrors.labels('skipper').inc();
  }
  ctx.json(200, { ...renderVenue(venue), skipper, stale: stale || deps.readModel.isStale() });
}

async function putVenue(ctx: HttpContext, deps: ApiDeps): Promise<void> {
  const id = ctx.params[0] ?? '';
  if (!isVenueId(id)) {
    ctx.error('VALIDATION_FAILED', 'venue ids are 1–32 letters, digits, "_" or "-"', undefined, { field: 'id' });
    return;
  }
  const body = jsonObjectBody(ctx);
  if (!body) return;
  const problem = validateVenueBody(body);
  if (problem) {
    ctx.error('VALIDATION_FAILED', problem.message, undefined, { field: problem.field });
    return;
  }
  const code = typeof body.code === 'string' ? body.code : null;
  const clash = code === null ? undefined : deps.venues.byCode(code);
  if (clash && clash.id !== id) {
    ctx.error('VALIDATION_FAILED', `code ${code} belongs to venue ${clash.id}`, undefined, { field: 'code' });
    return;
  }
  try {
    const { venue, created } = await deps.venueRepo.upsert(
      { id, name: body.name as string, city: body.city as string, open: body.open !== false, code },
      Date.now(),
    );
    deps.venues.put(venue);
    ctx.json(created ? 201 : 200, renderVenue(venue));
  } catch (e) {
    if ((e as { code?: string }).code === 'ER_DUP_ENTRY') {
      ctx.error('VALIDATION_FAILED', `code ${code} belongs to another venue`, undefined, { field: 'code' });
    } else {
      ctx.error('STORE_UNAVAILABLE', undefined, { 'Retry-After': '1' });
    }
  }
}

function validateVenueBody(b: Record<string, unknown>): { field: string; message: string } | null {
  if (typeof b.name !== 'string' || b.name.trim().length === 0 || b.name.length > 120) {
    return { field: 'name', message: 'name must be a string of 1–120 characters' };
  }
  if (UNPRINTABLE.test(b.name)) {
    return { field: 'name', message: 'name must not contain control characters or bidirectional overrides' };
  }
  if (typeof b.city !== 'string' || !isCityName(b.city)) {
    return { field: 'city', message: 'city must be 1–64 letters, digits, spaces or . _ \' -' };
  }
  if (b.open !== undefined && typeof b.open !== 'boolean') return { field: 'open', message: 'open must be a boolean' };
  if (b.code !== undefined && b.code !== null && (typeof b.code !== 'string' || !/^[0-9]{1,16}$/.test(b.code))) {
    return { field: 'code', message: 'code must be 1–16 digits (what a keypad can type)' };
  }
  return null;
}

export function renderVenue(v: Venue): Record<string, unknown> {
  return { id: v.id, name: v.name, city: v.city, open: v.open, code: v.code ?? (/^[0-9]+$/.test(v.id) ? v.id : null), version: v.version };
}
