import type { HttpContext } from '../http-context.js';
import { normaliseMsisdn } from '../../core/msisdn.js';
import type { ChannelThrottle } from '../channel-throttle.js';
import { route, type Route } from '../route.js';
import { ChannelGuard } from './channel-auth.js';
import type { UssdConfig } from './config.js';
import type { UssdDialog } from './dialog.js';
import type { ReplyEcho, UssdDialect, WireReply, WireRequest } from './types.js';
import type { UssdEngine } from './ussd-engine.js';
import type { UssdOutcome } from './ussd-metrics.js';
import { DIALECTS } from './vendors/index.js';

export interface UssdRouteDeps {
  readonly config: UssdConfig;
  readonly engine: UssdEngine;
  readonly dialog: UssdDialog;
  /** Per-source and per-subscriber limits of the USSD routes (one for every dialect). */
  readonly throttle: ChannelThrottle;
  /** Counts hops by outcome for metrics. */
  readonly onOutcome?: (dialect: string, outcome: UssdOutcome) => void;
  /** Reports what arrived when a request could not be used (for integration debugging). */
  readonly onRejected?: (dialect: string, kind: 'malformed' | 'unusable', message: string) => void;
}

/** What a route needs per dialect, built once. */
interface DialectRoute {
  readonly dialect: UssdDialect;
  readonly guard: ChannelGuard;
  readonly deps: UssdRouteDeps;
  /** The "busy" END screen in this dialect (without echo), prebuilt for the deadline path. */
  readonly busy: WireReply;
  /** The "too many requests" END screen in this dialect (without echo), for a throttled source. */
  readonly throttled: WireReply;
  /** The code subscribers dial through this dialect. */
  readonly serviceCode: string;
  /** This dialect's own country code, if not the site's (see `ussdVendorSchema`). */
  readonly countryCode: string | undefined;
}

/**
 * `POST /ussd/<dialect>` (and `GET` where the dialect allows it) for every registered
 * dialect. The per-route deadline (`ussd.deadlineMs`) answers with a polite END screen in
 * the vendor's format, so the telco never times out waiting for us.
 */
export function ussdRoutes(deps: UssdRouteDeps): Route[] {
  const routes: Route[] = [];
  const busy = deps.dialog.busy(deps.config.defaultLanguage);
  const throttled = deps.dialog.notice(deps.config.defaultLanguage, 'throttled');
  for (const dialect of DIALECTS) {
    const rule = deps.config.vendors[dialect.name];
    if (rule === undefined) continue;
    const r: DialectRoute = {
      dialect,
      guard: new ChannelGuard(rule),
      deps,
      busy: dialect.render(busy, null),
      throttled: dialect.render(throttled, null),
      serviceCode: rule.serviceCode ?? deps.config.serviceCode,
      countryCode: rule.countryCode,
    };
    const remoteAddress = r.guard.needsAddress || deps.throttle.needsAddress;
    for (const method of dialect.methods) {
      routes.push(
        route(method === 'GET' ? 'get' : 'post', `/ussd/${dialect.name}`, (ctx) => handleUssd(ctx, r), {
          auth: 'none',
          readBody: method === 'POST',
          remoteAddress,
          headers: [rule.secretHeader],
          deadlineMs: deps.config.deadlineMs,
          onDeadline: (ctx) => replyBusy(ctx, r),
        }),
      );
    }
  }
  return routes;
}

async function handleUssd(ctx: HttpContext, r: DialectRoute): Promise<void> {
  const { dialect, deps } = r;
  const rule = r.guard.rule;
  const decision = r.guard.check({
    remoteAddress: ctx.remoteAddress,
    headerSecret: ctx.header(rule.secretHeader) ?? '',
    paramSecret: rule.secretParam !== undefined ? (new URLSearchParams(ctx.query).get(rule.secretParam) ?? '') : '',
  });
  if (decision !== 'ok') {
    deps.onOutcome?.(dialect.name, 'forbidden');
    if (decision === 'disabled') ctx.error('CHANNEL_DISABLED', `USSD dialect ${dialect.name} is disabled at this site`);
    else ctx.error('CHANNEL_FORBIDDEN', decision === 'address' ? 'this source address may not call this dialect' : 'a valid shared secret is required');
    return;
  }
  // A flooding gateway is held back before its requests cost a parse.
  if (!deps.throttle.source(ctx.remoteAddress)) {
    if (send(ctx, r.throttled)) deps.onOutcome?.(dialect.name, 'throttled');
    return;
  }
  const wire: WireRequest = {
    method: ctx.method === 'GET' ? 'GET' : 'POST',
    query: ctx.query,
    contentType: (ctx.header('content-type') ?? '').toLowerCase(),
    body: ctx.body,
  };
  const parsed = dialect.parse(wire, { serviceCode: r.serviceCode });
  if (!parsed.ok) {
    const e = parsed.error;
    deps.onRejected?.(dialect.name, e.kind, e.message);
    if (e.kind === 'malformed') {
      deps.onOutcome?.(dialect.name, 'malformed');
      ctx.error('USSD_MALFORMED_REQUEST', e.message);
    } else {
      deps.onOutcome?.(dialect.name, 'unusable');
      send(ctx, dialect.render(deps.dialog.sorry(deps.config.defaultLanguage), { sessionKey: e.sessionKey, msisdn: e.msisdn }));
    }
    return;
  }
  let req = parsed.value;
  const echo = { sessionKey: req.sessionKey, msisdn: req.msisdn }; // as the vendor sent them
  if (req.kind === 'hop' && !deps.throttle.subscriber(req.msisdn)) {
    const reply = deps.dialog.notice(deps.config.defaultLanguage, 'throttled');
    if (send(ctx, dialect.render(reply, echo))) deps.onOutcome?.(dialect.name, 'throttled');
    return;
  }
  if (r.countryCode !== undefined) {
    // Read the number in the telco's country here, at the boundary: past it, a number in
    // E.164 form means the same subscriber to every part (sessions, check-ins, figures).
    // A number valid in no plan read from there is refused, not read again in the site's
    // country (the engine's "not available for your number" END).
    // A session keyed on the MSISDN (IMImobile) keeps being recognised as such.
    const msisdn = normaliseMsisdn(req.msisdn, r.countryCode);
    const e164 = msisdn.ok ? msisdn.value : '';
    req = { ...req, msisdn: e164, sessionKey: req.sessionKey === req.msisdn && e164 !== '' ? e164 : req.sessionKey };
  }
  ctx.routeState = echo; // the ids a reply envelope echoes (TruRoute), for the deadline path
  const reply = await deps.engine.handle({ ...req, requestId: ctx.requestId }, Date.now(), r.serviceCode, ctx);
  if (send(ctx, dialect.render(reply, echo))) deps.onOutcome?.(dialect.name, 'reply');
}

/**
 * The deadline's END screen: "busy, try again" — unless a check-in of this hop was sent and
 * not confirmed (it may still commit until its deadline passes on the server): then a
 * screen that does not invite a second check-in in a new session.
 */
function replyBusy(ctx: HttpContext, r: DialectRoute): void {
  const echo = ctx.routeState as ReplyEcho | undefined;
  const lang = r.deps.config.defaultLanguage;
  let wire: WireReply;
  if (ctx.inDoubt) wire = r.dialect.render(r.deps.dialog.unconfirmed(lang), echo ?? null);
  else wire = echo === undefined ? r.busy : r.dialect.render(r.deps.dialog.busy(lang), echo);
  if (send(ctx, wire)) r.deps.onOutcome?.(r.dialect.name, ctx.inDoubt ? 'unconfirmed' : 'busy');
}

function send(ctx: HttpContext, wire: WireReply): boolean {
  let headers: Record<string, string> | undefined;
  if (wire.headers.length > 0) {
    headers = {};
    for (const [k, v] of wire.headers) headers[k] = v;
  }
  return ctx.send(wire.status, wire.body, wire.contentType, headers);
}
