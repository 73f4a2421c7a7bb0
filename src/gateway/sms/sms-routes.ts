import type { HttpContext } from '../http-context.js';
import type { ChannelThrottle } from '../channel-throttle.js';
import { route, type Route } from '../route.js';
import { ChannelGuard } from '../ussd/channel-auth.js';
import type { SmsConfig } from '../ussd/config.js';
import type { SmsHandler } from './sms-handler.js';
import { smsText } from './sms-texts.js';

export interface SmsRouteDeps {
  readonly config: SmsConfig;
  readonly handler: SmsHandler;
  /** Per-source and per-subscriber limits of the SMS route. */
  readonly throttle: ChannelThrottle;
}

interface KannelRoute {
  readonly guard: ChannelGuard;
  readonly deps: SmsRouteDeps;
  readonly busy: string;
  readonly throttled: string;
}

const TEXT = 'text/plain; charset=utf-8';

/**
 * `GET /sms/kannel?from=%p&to=%P&text=%a[&id=%I]`: a Kannel `sms-service` URL. The reply
 * body is the SMS to send back (Kannel sends it to `from` when the service has
 * `get-url` and `max-messages` > 0).
 */
export function smsRoutes(deps: SmsRouteDeps): Route[] {
  const r: KannelRoute = { guard: new ChannelGuard(deps.config.kannel), deps, busy: smsText('busy'), throttled: smsText('throttled') };
  return [
    route('get', '/sms/kannel', (ctx) => handleKannel(ctx, r), {
      auth: 'none',
      readBody: false,
      remoteAddress: r.guard.needsAddress || deps.throttle.needsAddress,
      headers: [deps.config.kannel.secretHeader],
      deadlineMs: deps.config.deadlineMs,
      // A check-in sent and not confirmed may still count: no "try again" then.
      onDeadline: (ctx) => void ctx.send(200, ctx.inDoubt ? smsText('unconfirmed') : r.busy, TEXT),
    }),
  ];
}

async function handleKannel(ctx: HttpContext, r: KannelRoute): Promise<void> {
  const rule = r.guard.rule;
  const q = new URLSearchParams(ctx.query);
  const decision = r.guard.check({
    remoteAddress: ctx.remoteAddress,
    headerSecret: ctx.header(rule.secretHeader) ?? '',
    paramSecret: rule.secretParam !== undefined ? (q.get(rule.secretParam) ?? '') : '',
  });
  if (decision === 'disabled') {
    ctx.error('CHANNEL_DISABLED', 'the Kannel SMS route is disabled at this site');
    return;
  }
  if (decision !== 'ok') {
    ctx.error('CHANNEL_FORBIDDEN', decision === 'address' ? 'this source address may not call this route' : 'a valid shared secret is required');
    return;
  }
  const from = q.get('from')?.trim() ?? '';
  const text = q.get('text');
  if (from === '' || text === null) {
    ctx.error('SMS_MALFORMED_REQUEST', 'from and text are required');
    return;
  }
  // The reply is the SMS Kannel sends back: a throttled sender is told so in it.
  if (!r.deps.throttle.source(ctx.remoteAddress) || !r.deps.throttle.subscriber(from)) {
    ctx.send(200, r.throttled, TEXT);
    return;
  }
  const id = q.get('id')?.trim();
  const reply = await r.deps.handler.handle({ from, to: q.get('to') ?? '', text, id: id ? id.slice(0, 100) : null, requestId: ctx.requestId }, Date.now(), ctx);
  ctx.send(200, reply, TEXT);
}
