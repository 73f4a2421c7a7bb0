import { normaliseMsisdn } from '../../core/msisdn.js';
import { parseBoardName } from '../../core/leaderboard.js';
import type { HttpContext } from '../http-context.js';
import { route, type Route } from '../route.js';
import type { ApiDeps } from './deps.js';

/** Read API: users, leaderboards. Figures come from the read model; MySQL knows the user. */
export function readRoutes(deps: ApiDeps): Route[] {
  return [
    route('get', '/v1/users/:msisdn', (ctx) => getUser(ctx, deps)),
    route('get', '/v1/leaderboards/:board', (ctx) => getBoard(ctx, deps)),
  ];
}

async function getUser(ctx: HttpContext, deps: ApiDeps): Promise<void> {
  const msisdn = normaliseMsisdn(ctx.params[0], deps.defaultCountryCode);
  if (!msisdn.ok) {
    ctx.error('VALIDATION_FAILED', msisdn.error, undefined, { field: 'msisdn' });
    return;
  }
  let user;
  try {
    user = await deps.users.get(msisdn.value);
  } catch {
    ctx.error('STORE_UNAVAILABLE', undefined, { 'Retry-After': '1' });
    return;
  }
  if (!user) {
    ctx.error('USER_NOT_FOUND', `no user ${msisdn.value}`);
    return;
  }
  const standing = await deps.checkIns.standing(user.msisdn);
  if (standing === null) deps.metrics.readModelErrors.labels('standings').inc();
  ctx.json(200, {
    msisdn: user.msisdn,
    homeSite: user.homeSite,
    telco: user.telco,
    city: user.city,
    points: standing ? standing.total : null,
    rank: standing ? standing.rank : null,
    stale: standing === null || deps.readModel.isStale(),
  });
}

async function getBoard(ctx: HttpContext, deps: ApiDeps): Promise<void> {
  const board = parseBoardName(ctx.params[0] ?? '');
  if (!board) {
    ctx.error('NOT_FOUND', 'boards are global, week and city:{name}');
    return;
  }
  const q = new URLSearchParams(ctx.query);
  const limitRaw = q.get('limit');
  const limit = limitRaw === null ? 10 : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    ctx.error('VALIDATION_FAILED', 'limit must be an integer from 1 to 100', undefined, { field: 'limit' });
    return;
  }
  let around: string | undefined;
  const aroundRaw = q.get('around');
  if (aroundRaw !== null) {
    const m = normaliseMsisdn(aroundRaw, deps.defaultCountryCode);
    if (!m.ok) {
      ctx.error('VALIDATION_FAILED', m.error, undefined, { field: 'around' });
      return;
    }
    around = m.value;
  }
  try {
    const entries = await deps.readModel.board(board, { limit, atMs: Date.now(), ...(around ? { around } : {}) });
    ctx.json(200, { board, entries, stale: deps.readModel.isStale() });
  } catch {
    deps.metrics.readModelErrors.labels('board').inc();
    ctx.error('READ_MODEL_UNAVAILABLE', undefined, { 'Retry-After': '1' });
  }
}
