import { looksDialled } from '../dial-string.js';
import { nonEmpty, Params } from '../params.js';
import type { ParseResult, UssdDialect, UssdReply, WireReply, WireRequest } from '../types.js';

/**
 * IMImobile style: GET or POST with `msisdn, msg, code, tid` and no session id, so the
 * session is keyed on the MSISDN. A `msg` that is a dialled string (`*384*123#`) opens a
 * new session (replacing any stale one of that subscriber). The reply is `text/plain`
 * with `X-USSD-SESSION: 1` to continue or `0` to end.
 */
export const imimobile: UssdDialect = {
  name: 'imimobile',
  methods: ['GET', 'POST'],
  parse,
  render,
};

function parse(wire: WireRequest): ParseResult {
  const p = Params.of(wire);
  const msisdn = nonEmpty(p.get('msisdn'));
  if (msisdn === undefined) return { ok: false, error: { kind: 'malformed', message: 'msisdn is required' } };
  const msg = p.get('msg', 'message')?.trim() ?? '';
  return {
    ok: true,
    value: {
      vendor: 'imimobile',
      sessionKey: msisdn,
      msisdn,
      serviceCode: p.get('code')?.trim() ?? '',
      isNew: looksDialled(msg) ? true : null,
      input: msg,
      path: null,
      hopTag: null,
      network: null,
      kind: 'hop',
    },
  };
}

function render(reply: UssdReply): WireReply {
  return {
    status: 200,
    contentType: 'text/plain; charset=utf-8',
    headers: [['X-USSD-SESSION', reply.end ? '0' : '1']],
    body: reply.text,
  };
}
