/**
 * The canonical USSD request and reply. Vendor adapters (`vendors/*.ts`) translate their
 * wire format into these and back; nothing past the adapter sees a vendor field.
 */

export type UssdHopKind = 'hop' | 'release' | 'timeout';

export interface UssdRequest {
  /** Dialect name (`africastalking`, …): scopes session keys and check-in idempotency. */
  readonly vendor: string;
  /** The vendor's session id (or the MSISDN for vendors without one). */
  readonly sessionKey: string;
  /** Subscriber number as the vendor sent it; normalised to E.164 by the core. */
  readonly msisdn: string;
  /** Service code as the vendor sent it (may be empty). */
  readonly serviceCode: string;
  /**
   * `true`/`false` when the vendor says whether this hop opens the session; `null` when
   * it cannot tell (then a missing session means "new" and an existing one means "hop").
   */
  readonly isNew: boolean | null;
  /** What the user typed this hop; on the first hop of per-hop vendors, the dialled string. */
  readonly input: string;
  /**
   * All inputs so far, for vendors that send them cumulatively (Africa's Talking), with a
   * dialled extension (`*384*123#`) as its first element(s). `null` for per-hop vendors:
   * the session store keeps their path.
   */
  readonly path: readonly string[] | null;
  /**
   * A vendor token that repeats on a resent hop and changes on the next one (Hubtel's
   * `Sequence`); `null` when the vendor has none.
   */
  readonly hopTag: string | null;
  readonly network: string | null;
  readonly kind: UssdHopKind;
  /** The HTTP request's id, carried to the check-in for log lines (not from the vendor). */
  readonly requestId?: string;
}

export interface UssdReply {
  readonly text: string;
  /** Close the session after this screen. */
  readonly end: boolean;
}

/** What a route hands an adapter: the raw request, copied out of uWS before any await. */
export interface WireRequest {
  readonly method: 'GET' | 'POST';
  /** Raw query string without `?`. */
  readonly query: string;
  /** Lower-cased `content-type` header, or `''`. */
  readonly contentType: string;
  readonly body: Buffer;
}

export interface WireReply {
  readonly status: number;
  readonly contentType: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: string;
}

/**
 * Why a request could not become a canonical request:
 * - `malformed`: not attributable to any session (unparseable body, no session id or
 *   MSISDN). Answered with HTTP 400 `USSD_MALFORMED_REQUEST`: no subscriber is waiting on
 *   it, and an error status is what shows up in the aggregator's dashboards.
 * - `unusable`: attributable, but the hop cannot be served (unknown `Type`, a number that
 *   is not an MSISDN). The subscriber is waiting: answered 200 with a polite END screen.
 */
export type DialectError =
  | { readonly kind: 'malformed'; readonly message: string }
  | {
      readonly kind: 'unusable';
      readonly message: string;
      readonly sessionKey: string;
      readonly msisdn: string;
    };

/** Fields some dialects echo in their reply envelope. */
export interface ReplyEcho {
  readonly sessionKey: string;
  readonly msisdn: string;
}

export interface DialectParseContext {
  /** The configured service code, e.g. `*384#`. */
  readonly serviceCode: string;
}

/** One vendor wire format. Adding a dialect = one file implementing this + a registry line. */
export interface UssdDialect {
  readonly name: string;
  readonly methods: readonly ('GET' | 'POST')[];
  parse(wire: WireRequest, ctx: DialectParseContext): ParseResult;
  render(reply: UssdReply, echo: ReplyEcho | null): WireReply;
}

export type ParseResult =
  | { readonly ok: true; readonly value: UssdRequest }
  | { readonly ok: false; readonly error: DialectError };
