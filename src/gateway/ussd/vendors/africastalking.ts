import { dialledExtension } from '../dial-string.js';
import { nonEmpty, Params } from '../params.js';
import type { DialectParseContext, ParseResult, UssdDialect, UssdReply, WireReply, WireRequest } from '../types.js';

/**
 * Africa's Talking (and the Kenyan aggregators that copied it): urlencoded POST with
 * `sessionId, phoneNumber, serviceCode, text, networkCode`; `text` is cumulative
 * (`""`, `1`, `1*123`); the reply is `text/plain` starting `CON ` or `END `.
 *
 * The path is the dialled extension of `serviceCode` (`*384*123#` → `123`) followed by
 * the segments of `text`. An absent `text` is the first hop (it crashed libraries that
 * assumed it was always there).
 */
export const africastalking: UssdDialect = {
  name: 'africastalking',
  methods: ['POST'],
  parse,
  render,
};

function parse(wire: WireRequest, ctx: DialectParseContext): ParseResult {
  const p = Params.of(wire);
  const sessionKey = nonEmpty(p.get('sessionid'));
  const msisdn = nonEmpty(p.get('phonenumber', 'msisdn'));
  if (sessionKey === undefined || msisdn === undefined) {
    return { ok: false, error: { kind: 'malformed', message: 'sessionId and phoneNumber are required' } };
  }
  const serviceCode = p.get('servicecode')?.trim() ?? '';
  const text = p.get('text') ?? '';
  const ext = serviceCode.length > 0 ? (dialledExtension(serviceCode, ctx.serviceCode) ?? []) : [];
  const path = text.length === 0 ? ext : [...ext, ...text.split('*').map((s) => s.trim())];
  return {
    ok: true,
    value: {
      vendor: 'africastalking',
      sessionKey,
      msisdn,
      serviceCode,
      isNew: null,
      input: path[path.length - 1] ?? '',
      path,
      hopTag: null,
      network: nonEmpty(p.get('networkcode')) ?? null,
      kind: 'hop',
    },
  };
}

function render(reply: UssdReply): WireReply {
  return {
    status: 200,
    contentType: 'text/plain; charset=utf-8',
    headers: [],
    body: (reply.end ? 'END ' : 'CON ') + reply.text,
  };
}
