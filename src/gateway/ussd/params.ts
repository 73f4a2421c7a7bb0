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

  private addEncoded(text: string): void {
    for (const [k, v] of new URLSearchParams(text)) {
      const key = k.toLowerCase();
      if (!this.map.has(key)) this.map.set(key, v);
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
