/**
 * Dialled strings: `*384#`, `*384*123#`, or the same without `*`/`#` (Flares sends
 * `384*123`). The extension is what follows the configured service code: `*384*123#` with
 * service code `*384#` has extension `['123']` (a dial-through check-in at venue 123).
 */

/** Segments of a dialled string: `*384*1*2#` → `['384','1','2']`. Empty segments dropped. */
export function dialSegments(dialled: string): string[] {
  const out: string[] = [];
  for (const s of dialled.trim().replace(/#+$/, '').split('*')) {
    const t = s.trim();
    if (t.length > 0) out.push(t);
  }
  return out;
}

/** A site has one service code (or one per dialect): its segments are computed once. */
let lastCode = '';
let lastCodeSegments: readonly string[] = [];
function codeSegments(serviceCode: string): readonly string[] {
  if (serviceCode !== lastCode) {
    lastCodeSegments = dialSegments(serviceCode);
    lastCode = serviceCode;
  }
  return lastCodeSegments;
}

/** Whether the text looks like a dialled code (`*…#`) rather than a menu answer. */
export function looksDialled(text: string): boolean {
  const t = text.trim();
  return t.length >= 2 && t.startsWith('*') && t.endsWith('#');
}

/**
 * Extension of `dialled` after `serviceCode`. When the dialled string does not start with
 * the configured code (a vendor-side alias), everything after its first segment is taken
 * as the extension. Returns `null` when `dialled` does not start with the code's first
 * segment at all (not a dialled string for this service).
 */
export function dialledExtension(dialled: string, serviceCode: string): string[] | null {
  const segs = dialSegments(dialled);
  const base = codeSegments(serviceCode);
  if (segs.length === 0) return [];
  if (base.length > 0 && segs.length >= base.length && base.every((b, i) => segs[i] === b)) {
    return segs.slice(base.length);
  }
  if (base.length > 0 && segs[0] !== base[0]) return null;
  return segs.slice(1);
}

/**
 * Segments of `serviceCode` beyond `dialled` when `dialled` is a strict prefix of it: a
 * shared code's channel (`*384*12#`) that an aggregator reports as the base code
 * (`*384#`) with the channel as the subscriber's first input (`text=12*4321`). Empty
 * otherwise.
 */
export function channelBeyond(dialled: string, serviceCode: string): readonly string[] {
  const segs = dialSegments(dialled);
  const base = codeSegments(serviceCode);
  if (segs.length === 0 || segs.length >= base.length || !segs.every((s, i) => s === base[i])) return [];
  return base.slice(segs.length);
}
