import { channelBeyond, dialledExtension } from '../dial-string.js';
import { nonEmpty, Params } from '../params.js';
import type { DialectParseContext, ParseResult, UssdDialect, UssdReply, WireReply, WireRequest } from '../types.js';

/**
 * Africa's Talking (and the Kenyan aggregators that copied it): urlencoded POST with
 * `sessionId, phoneNumber, serviceCode, text, networkCode`; `text` is cumulative
 * (`""`, `1`, `1*123`); the reply is `text/plain` starting `CON ` or `END `.
 *
 * The path is the dialled extension of `serviceCode` (`*384*123#` → `123`) followed by
 * the segments of `text`. An absent `text` is the first hop (it crashed libraries that
 * assumed it was always there). On a new session a non-empty `text` is what was dialled
 * after the service code (`serviceCode=*384#`, `text=4321` is a dial-through); the engine
 * tells it from a later hop by the session it finds.
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
  let typed = text.length === 0 ? [] : text.split('*').map((s) => s.trim());
  // On a shared code the channel may come as typed input (`*384#` + `12*4321` for the
  // site's `*384*12#`): it is part of the code, not an answer, on every hop alike.
  const channel = channelBeyond(serviceCode, ctx.serviceCode);
  if (channel.length > 0 && typed.length >= channel.length && channel.every((c, i) => typed[i] === c)) typed = typed.slice(channel.length);
  const path = typed.length === 0 ? ext : [...ext, ...typed];
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
