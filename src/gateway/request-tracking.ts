import { randomBytes } from 'node:crypto';
import type { HttpRequest, HttpResponse } from 'uWebSockets.js';
import type { HttpContext } from './http-context.js';
import { SourceAllowList, unmap } from './ussd/channel-auth.js';

/** A request id a proxy may hand us: short, printable, nothing a log line or header could trip on. */
const GIVEN_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** What the access log needs about a request, copied while uWS's `req` is valid. */
export interface AccessFacts {
  /** The client: the peer, or the last X-Forwarded-For hop when the peer is a trusted proxy. */
  readonly host: string;
  readonly referer: string;
  readonly userAgent: string;
  /** Epoch ms at arrival (the log's time is the request's, as Apache writes it). */
  readonly at: number;
}

/**
 * Gives every request its id — the `X-Request-Id` a trusted proxy sent, else a new one —
 * and, when the access log is on, copies what it needs. Runs at accept for every request,
 * so the default path is one header read and a counter: the peer address (a `getpeername`
 * call) is read only when a proxy sent an id and proxies are trusted, or for the access log.
 */
export class RequestTracker {
  /** Process-unique prefix: ids from several processes behind one balancer never collide. */
  private readonly prefix = randomBytes(6).toString('base64url') + '-';
  private seq = 0;
  private readonly trusted: SourceAllowList | null;

  constructor(
    trustedProxies: readonly string[],
    private readonly accessLog: boolean,
  ) {
    this.trusted = trustedProxies.length === 0 ? null : new SourceAllowList(trustedProxies);
  }

  accepted(ctx: HttpContext, req: HttpRequest, res: HttpResponse): void {
    const given = req.getHeader('x-request-id');
    let peer = ctx.remoteAddress;
    let trusted = false;
    if (this.trusted !== null && (given !== '' || this.accessLog)) {
      if (peer === '') peer = peerOf(res);
      trusted = this.trusted.allows(peer);
    }
    ctx.requestId = trusted && GIVEN_ID.test(given) ? given : this.prefix + (++this.seq).toString(36);
    if (!this.accessLog) return;
    if (peer === '') peer = peerOf(res);
    let host = unmap(peer);
    if (trusted) {
      const forwarded = req.getHeader('x-forwarded-for');
      const last = forwarded.slice(forwarded.lastIndexOf(',') + 1).trim();
      if (last !== '' && !/\s/.test(last)) host = last;
    }
    const facts: AccessFacts = { host, referer: req.getHeader('referer'), userAgent: req.getHeader('user-agent'), at: Date.now() };
    ctx.accessFacts = facts;
  }
}

function peerOf(res: HttpResponse): string {
  return Buffer.from(res.getRemoteAddressAsText()).toString();
}
