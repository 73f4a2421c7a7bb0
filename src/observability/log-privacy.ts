import type { LoggerOptions } from 'pino';
import { maskMsisdn, maskNumbersIn } from '../core/msisdn.js';

/**
 * Keeps subscribers' numbers, message texts and credentials out of the logs, at every level.
 *
 * Two layers: pino's `redact` masks the fields known to hold them wherever a log call names
 * them (`msisdn`, `text`, keys and secrets), and a `logMethod` hook masks number-like runs
 * inside strings, where a field name cannot help: a MySQL duplicate-key message, a rejected
 * request's reason, a URL. Both run only for lines actually written (pino skips disabled
 * levels before either), so the hot path, which logs nothing at `info`, pays nothing.
 */

/** Field names whose value is a subscriber number: masked like the USSD screens do. */
const NUMBER_FIELDS = ['msisdn', 'to', 'from', 'phoneNumber'];
/** Message bodies: only their length is kept. */
const TEXT_FIELDS = ['text'];
/** Credentials: never shown. */
const SECRET_FIELDS = ['apiKey', 'secret', 'password', 'authorization', '"x-api-key"'];

const FIELDS = [...NUMBER_FIELDS, ...TEXT_FIELDS, ...SECRET_FIELDS];

/** Top-level and one level down (`{ msg: { msisdn } }`, `{ headers: { "x-api-key" } }`). */
const REDACT_PATHS = FIELDS.flatMap((f) => (f.startsWith('"') ? [`[${f}]`, `*[${f}]`] : [f, `*.${f}`]));

function censor(value: unknown, path: string[]): unknown {
  const field = path[path.length - 1] ?? '';
  if (value === undefined || value === null) return value;
  if (NUMBER_FIELDS.includes(field)) return maskMsisdn(String(value));
  if (TEXT_FIELDS.includes(field)) return `[${String(value).length} chars]`;
  return '[redacted]';
}

/** Fields left as they are: ids that correlate lines (a proxy's request id may hold digits). */
const KEEP = new Set(['reqId', 'reqIds']);

/** Masks number-like runs in strings of a log call's arguments (objects two levels deep). */
function scrub(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return maskNumbersIn(value);
  if (value === null || typeof value !== 'object' || depth > 2) return value;
  if (value instanceof Error) {
    const code = (value as { code?: unknown }).code;
    return {
      type: value.name,
      message: maskNumbersIn(value.message),
      ...(code !== undefined ? { code } : {}),
      ...(value.stack !== undefined ? { stack: maskNumbersIn(value.stack) } : {}),
    };
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = KEEP.has(k) ? v : scrub(v, depth + 1);
  return out;
}

export const privacyOptions: Pick<LoggerOptions, 'redact' | 'hooks'> = {
  redact: { paths: REDACT_PATHS, censor },
  hooks: {
    logMethod(args, method) {
      for (let i = 0; i < args.length; i++) args[i] = scrub(args[i], 0) as (typeof args)[number];
      return method.apply(this, args);
    },
  },
};
