import type { HttpRequest, HttpResponse } from 'uWebSockets.js';

/**
 * Request-smuggling guard. uWS frames a body by the first Content-Length and ignores the
 * others; a proxy in front may frame it by another. A request with several Content-Length
 * headers, one that is not a plain number, or one with Transfer-Encoding as well is
 * refused. Call only when a Content-Length is present (one `forEach` over the headers).
 */
export function framingError(req: HttpRequest): string | null {
  let lengths = 0;
  let numeric = true;
  let chunked = false;
  req.forEach((name, value) => {
    if (name === 'content-length') {
      lengths++;
      if (!/^\d{1,15}$/.test(value)) numeric = false;
    } else if (name === 'transfer-encoding') chunked = true;
  });
  if (lengths > 1) return 'the request has more than one Content-Length header';
  if (!numeric) return 'Content-Length must be a decimal number';
  if (chunked) return 'the request has both Content-Length and Transfer-Encoding';
  return null;
}

/**
 * Refuses what follows a badly framed request on its connection. Replying with
 * `Connection: close` is not enough: uWS goes on parsing the bytes it has already read
 * (the "body" a proxy would have framed differently) as further requests, in the same
 * synchronous run. uWS gives no connection identity, so requests from the same address
 * until the run ends (`setImmediate`) are refused too; another connection from that address
 * parsed in that very run would be refused with them — rare, and only during an attack.
 */
export class FramingQuarantine {
  private address: string | null = null;

  quarantine(res: HttpResponse): void {
    if (this.address === null) setImmediate(release, this);
    this.address = Buffer.from(res.getRemoteAddressAsText()).toString();
  }

  /** True when `res` must be refused (only costs a lookup while a quarantine is on). */
  holds(res: HttpResponse): boolean {
    return this.address !== null && Buffer.from(res.getRemoteAddressAsText()).toString() === this.address;
  }

  /** @internal */
  release(): void {
    this.address = null;
  }
}

function release(q: FramingQuarantine): void {
  q.release();
}
