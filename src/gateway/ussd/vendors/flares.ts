import { nonEmpty, Params } from '../params.js';
import type { ParseResult, UssdDialect, UssdReply, WireReply, WireRequest } from '../types.js';

/**
 * Comviva Flares (Airtel India style): GET or POST with `SessionID, MSISDN, MSC, input`.
 * The first `input` is the dialled code without `*`/`#` (`384*123`). The reply is
 * `text/plain`; the `Freeflow` header says `FC` (continue) or `FB` (break = end), and
 * `charge: N` tells the platform not to bill the subscriber for the screen.
 *
 * Some deployments add a new-request flag (`newrequest=1`); it is honoured when present.
 * Without it, a missing session plus an input that starts with the service code opens a
 * session (see hop-handler.ts).
 */
export const flares: UssdDialect = {
  name: 'flares',
  methods: ['GET', 'POST'],
  parse,
  render,
};

function parse(wire: WireRequest): ParseResult {
  const p = Params.of(wire);
  const sessionKey = nonEmpty(p.get('sessionid', 'session_id'));
  const msisdn = nonEmpty(p.get('msisdn'));
  if (sessionKey === undefined || msisdn === undefined) {
    return { ok: false, error: { kind: 'malformed', message: 'SessionID and MSISDN are required' } };
  }
  return {
    ok: true,
    value: {
      vendor: 'flares',
      sessionKey,
      msisdn,
      serviceCode: '',
      isNew: flag(p.get('newrequest', 'isnewrequest')),
      input: p.get('input')?.trim() ?? '',
      path: null,
      hopTag: null,
      network: nonEmpty(p.get('msc')) ?? null,
      kind: 'hop',
    },
  };
}

function flag(v: string | undefined): boolean | null {
  const t = v?.trim().toLowerCase();
  if (t === '1' || t === 'true' || t === 'yes') return true;
  if (t === '0' || t === 'false' || t === 'no') return false;
  return null;
}

function render(reply: UssdReply): WireReply {
  return {
    status: 200,
    contentType: 'text/plain; charset=utf-8',
    headers: [
      ['Freeflow', reply.end ? 'FB' : 'FC'],
      ['charge', 'N'],
    ],
    body: reply.text,
  };
}
