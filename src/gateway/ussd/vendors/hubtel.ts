import { nonEmpty, Params } from '../params.js';
import type { ParseResult, ReplyEcho, UssdDialect, UssdHopKind, UssdReply, WireReply, WireRequest } from '../types.js';

/**
 * Hubtel: JSON POST `{SessionId, Mobile, ServiceCode, Type, Message, Operator, Sequence,
 * ClientState}`; `Type` is `Initiation` (Message = the dialled string, `*713*123#`),
 * `Response`, `Release` or `Timeout`. Reply `{"Type":"Response"|"Release","Message",
 * "ClientState"}`. `Sequence` identifies the hop, so a resent hop is recognised exactly.
 */
export const hubtel: UssdDialect = {
  name: 'hubtel',
  methods: ['POST'],
  parse,
  render,
};

/** A Map, not an object literal: `Type: "constructor"` must not find Object.prototype's members. */
const TYPES: ReadonlyMap<string, { kind: UssdHopKind; isNew: boolean }> = new Map([
  ['initiation', { kind: 'hop', isNew: true }],
  ['response', { kind: 'hop', isNew: false }],
  ['release', { kind: 'release', isNew: false }],
  ['timeout', { kind: 'timeout', isNew: false }],
]);

function parse(wire: WireRequest): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(wire.body.toString('utf8'));
  } catch {
    return { ok: false, error: { kind: 'malformed', message: 'body is not JSON' } };
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return { ok: false, error: { kind: 'malformed', message: 'body is not a JSON object' } };
  }
  const p = Params.fromRecord(json as Record<string, unknown>);
  const sessionKey = nonEmpty(p.get('sessionid'));
  const msisdn = nonEmpty(p.get('mobile', 'msisdn'));
  if (sessionKey === undefined || msisdn === undefined) {
    return { ok: false, error: { kind: 'malformed', message: 'SessionId and Mobile are required' } };
  }
  const rawType = p.get('type')?.trim() ?? '';
  const type = TYPES.get(rawType.toLowerCase());
  if (type === undefined) {
    return { ok: false, error: { kind: 'unusable', message: `unknown Type ${JSON.stringify(rawType.slice(0, 32))}`, sessionKey, msisdn } };
  }
  const sequence = nonEmpty(p.get('sequence'));
  return {
    ok: true,
    value: {
      vendor: 'hubtel',
      sessionKey,
      msisdn,
      serviceCode: p.get('servicecode')?.trim() ?? '',
      isNew: type.isNew,
      input: p.get('message')?.trim() ?? '',
      path: null,
      hopTag: sequence ?? null,
      network: nonEmpty(p.get('operator')) ?? null,
      kind: type.kind,
    },
  };
}

function render(reply: UssdReply, _echo: ReplyEcho | null): WireReply {
  return {
    status: 200,
    contentType: 'application/json; charset=utf-8',
    headers: [],
    body: JSON.stringify({ Type: reply.end ? 'Release' : 'Response', Message: reply.text, ClientState: '' }),
  };
}
