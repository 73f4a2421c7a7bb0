import type { WireRequest } from './types.js';

/**
 * Request parameters with case-insensitive names: vendors and their resellers spell fields
 * differently (`SessionID`, `sessionId`, `sessionid`), so adapters accept them all.
 * Query-string parameters first, then an urlencoded body; the first occurrence wins.
 */
export class Params {
  private readonly map = new Map<string, string>();

  static of(wire: WireRequest): Params {
    const p = new Params();
    if (wire.query.length > 0) p.addEncoded(wire.query);
    if (wire.body.length > 0 && isForm(wire.contentType)) p.addEncoded(wire.body.toString('utf8'));
    return p;
  }

  static fromRecord(record: Record<string, unknown>): Params {
    const p = new Params();
    for (const [k, v] of Object.entries(record)) {
      const key = k.toLowerCase();
      if (p.map.has(key)) continue;
      if (typeof v === 'string') p.map.set(key, v);
      else if (typeof v === 'number' && Number.isFinite(v)) p.map.set(key, String(v));
    }
    return p;
  }

  /**
   * `application/x-www-form-urlencoded` pairs, decoded as URLSearchParams decodes them. The
   * common case (valid percent-encoding) is split and decoded here without the
   * URLSearchParams object and iterator; text that decodeURIComponent refuses (broken
   * escapes, invalid UTF-8) is handed to URLSearchParams, whose lenient decoding wins.
   */
  private addEncoded(text: string): void {
    const pairs: string[] = [];
    try {
      for (let start = 0; start < text.length; ) {
        let end = text.indexOf('&', start);
        if (end < 0) end = text.length;
        if (end > start) {
          const eq = text.indexOf('=', start);
          const split = eq >= 0 && eq < end;
          pairs.push(decodeFormComponent(text.slice(start, split ? eq : end)), split ? decodeFormComponent(text.slice(eq + 1, end)) : '');
        }
        start = end + 1;
      }
    } catch {
      pairs.length = 0;
      for (const [k, v] of new URLSearchParams(text)) pairs.push(k, v);
    }
    for (let i = 0; i < pairs.length; i += 2) {
      const key = pairs[i]!.toLowerCase();
      if (!this.map.has(key)) this.map.set(key, pairs[i + 1]!);
    }
  }

  /** The first of `names` present (names given in lower case). */
  get(...names: string[]): string | undefined {
    for (const n of names) {
      const v = this.map.get(n);
      if (v !== undefined) return v;
    }
    return undefined;
  }

  get size(): number {
    return this.map.size;
  }
}

/** `+` is a space; then percent-decoding (throws URIError on what it cannot decode). */
function decodeFormComponent(s: string): string {
  const spaced = s.includes('+') ? s.replaceAll('+', ' ') : s;
  return spaced.includes('%') ? decodeURIComponent(spaced) : spaced;
}

/** Bodies without a content type are read as forms too: some gateways omit the header. */
function isForm(contentType: string): boolean {
  return contentType === '' || contentType.startsWith('application/x-www-form-urlencoded') || contentType.startsWith('text/plain');
}

/** Trims; empty or absent becomes `undefined`. */
export function nonEmpty(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  const t = v.trim();
  return t.length > 0 ? t : undefined;
}
