import { normaliseMsisdn } from '../../core/msisdn.js';
import { isTelcoName } from '../../core/replication.js';
import type { UserRecord, UserRepository } from '../../store/mysql/user-repository.js';
import type { HttpContext } from '../http-context.js';
import { route, type Route } from '../route.js';
import { jsonObjectBody } from './json-body.js';

export interface PortDeps {
  readonly users: Pick<UserRepository, 'port'>;
  /** Every site of the deployment: this one and its peers. */
  readonly sites: readonly string[];
  readonly defaultCountryCode: string;
}

/**
 * `POST /v1/users/{msisdn}/port` (admin key): mobile number portability. The profile moves
 * to `homeSite` at every site (it replicates like a venue); points, history and ranks stay.
 */
export function portRoutes(deps: PortDeps): Route[] {
  return [route('post', '/v1/users/:msisdn/port', (ctx) => port(ctx, deps), { auth: 'admin' })];
}

async function port(ctx: HttpContext, deps: PortDeps): Promise<void> {
  const msisdn = normaliseMsisdn(ctx.params[0] ?? '', deps.defaultCountryCode);
  if (!msisdn.ok) return void ctx.error('VALIDATION_FAILED', msisdn.error, undefined, { field: 'msisdn' });
  const body = jsonObjectBody(ctx);
  if (!body) return;
  if (typeof body.homeSite !== 'string' || !deps.sites.includes(body.homeSite)) {
    return void ctx.error('VALIDATION_FAILED', `homeSite must be one of ${deps.sites.join(', ')}`, undefined, { field: 'homeSite' });
  }
  if (body.telco !== undefined && (typeof body.telco !== 'string' || !isTelcoName(body.telco))) {
    return void ctx.error('VALIDATION_FAILED', 'telco must be 1–16 letters, digits, space . _ -', undefined, { field: 'telco' });
  }
  let user: UserRecord;
  try {
    user = await deps.users.port(msisdn.value, body.homeSite, body.telco as string | undefined, Date.now());
  } catch {
    return void ctx.error('STORE_UNAVAILABLE', undefined, { 'Retry-After': '1' });
  }
  ctx.json(200, { msisdn: user.msisdn, homeSite: user.homeSite, telco: user.telco, version: user.version });
}
