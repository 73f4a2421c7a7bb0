import { nonEmpty, Params } from '../params.js';
import type { ParseResult, ReplyEcho, UssdDialect, UssdHopKind, UssdReply, WireReply, WireRequest } from '../types.js';
import { escapeXml, readFlatXml } from '../xml-reader.js';

/**
 * TruRoute-style XML: POST `<ussd><msisdn/><sessionid/><type/><msg/></ussd>`, request
 * `type` 1 = new (msg = the dialled string), 2 = response, 3 = user released, 4 = timeout.
 * Reply: the same envelope with `type` 2 (keep open) or 3 (release) and `msg`.
 */
export const truroute: UssdDialect = {
  name: 'truroute',
  methods: ['POST'],
  parse,
  render,
};

/** A Map, not an object literal: `<type>toString</type>` must not find Object.prototype's members. */
const TYPES: ReadonlyMap<string, { kind: UssdHopKind; isNew: boolean }> = new Map([
  ['1', { kind: 'hop', isNew: true }],
  ['2', { kind: 'hop', isNew: false }],
  ['3', { kind: 'release', isNew: false }],
  ['4', { kind: 'timeout', isNew: false }],
]);

function parse(wire: WireRequest): ParseResult {
  const xml = readFlatXml(wire.body);
  if (!xml.ok) return { ok: false, error: { kind: 'malformed', message: `body is not a USSD XML envelope: ${xml.error}` } };
  const p = Params.fromRecord(Object.fromEntries(xml.value.fields));
  const sessionKey = nonEmpty(p.get('sessionid', 'session_id'));
  const msisdn = nonEmpty(p.get('msisdn'));
  if (sessionKey === undefined || msisdn === undefined) {
    return { ok: false, error: { kind: 'malformed', message: '<sessionid> and <msisdn> are required' } };
  }
  const rawType = p.get('type')?.trim() ?? '';
  const type = TYPES.get(rawType);
  if (type === undefined) {
    return { ok: false, error: { kind: 'unusable', message: `unknown type ${JSON.stringify(rawType.slice(0, 16))}`, sessionKey, msisdn } };
  }
  return {
    ok: true,
    value: {
      vendor: 'truroute',
      sessionKey,
      msisdn,
      serviceCode: '',
      isNew: type.isNew,
      input: p.get('msg')?.trim() ?? '',
      path: null,
      hopTag: null,
      network: null,
      kind: type.kind,
    },
  };
}

function render(reply: UssdReply, echo: ReplyEcho | null): WireReply {
  const ids = echo ? `<msisdn>${escapeXml(echo.msisdn)}</msisdn><sessionid>${escapeXml(echo.sessionKey)}</sessionid>` : '';
  return {
    status: 200,
    contentType: 'text/xml; charset=utf-8',
    headers: [],
    body: `<?xml version="1.0" encoding="UTF-8"?><ussd>${ids}<type>${reply.end ? 3 : 2}</type><msg>${escapeXml(reply.text)}</msg></ussd>`,
  };
}
