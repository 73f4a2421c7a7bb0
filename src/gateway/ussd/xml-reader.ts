/**
 * A deliberately tiny XML reader for flat vendor envelopes such as
 * `<ussd><msisdn>…</msisdn><type>1</type><msg>…</msg></ussd>`.
 *
 * Safe by construction rather than by configuration: no DTDs (`<!DOCTYPE` is refused, so
 * no external entities and no entity expansion bombs), only the five predefined entities
 * and numeric character references, a size bound, a bound on fields, and nesting of at
 * most root → leaf. Anything else is refused as malformed instead of being guessed at.
 */

export interface FlatXml {
  readonly root: string;
  /** Leaf elements by lower-cased name; the first occurrence wins. */
  readonly fields: ReadonlyMap<string, string>;
}

export type XmlResult = { readonly ok: true; readonly value: FlatXml } | { readonly ok: false; readonly error: string };

export const XML_MAX_BYTES = 8 * 1024;
const MAX_FIELDS = 32;
const NAME = /^[A-Za-z_][A-Za-z0-9_.:-]{0,63}$/;

class XmlError extends Error {}

export function readFlatXml(input: Buffer | string): XmlResult {
  const byteLength = typeof input === 'string' ? Buffer.byteLength(input) : input.length;
  if (byteLength === 0) return { ok: false, error: 'empty body' };
  if (byteLength > XML_MAX_BYTES) return { ok: false, error: `larger than ${XML_MAX_BYTES} bytes` };
  const text = typeof input === 'string' ? input : input.toString('utf8');
  try {
    return { ok: true, value: new Reader(text).document() };
  } catch (e) {
    if (e instanceof XmlError) return { ok: false, error: e.message };
    throw e;
  }
}

class Reader {
  private pos = 0;

  constructor(private readonly s: string) {
    if (s.charCodeAt(0) === 0xfeff) this.pos = 1;
  }

  document(): FlatXml {
    this.skipMisc();
    const root = this.openTag();
    const fields = new Map<string, string>();
    let count = 0;
    if (!root.selfClosing) {
      for (;;) {
        this.skipWhitespaceAndComments();
        if (this.s.startsWith('</', this.pos)) {
          this.closeTag(root.name);
          break;
        }
        if (this.pos >= this.s.length) throw new XmlError(`unclosed <${root.name}>`);
        const leaf = this.openTag();
        const value = leaf.selfClosing ? '' : this.leafText(leaf.name);
        if (++count > MAX_FIELDS) throw new XmlError(`more than ${MAX_FIELDS} fields`);
        const key = leaf.name.toLowerCase();
        if (!fields.has(key)) fields.set(key, value);
      }
    }
    this.skipMisc();
    if (this.pos < this.s.length) throw new XmlError('content after the root element');
    return { root: root.name, fields };
  }

  /** XML declaration, comments and whitespace around the root; DTDs are refused. */
  private skipMisc(): void {
    for (;;) {
      this.skipWhitespaceAndComments();
      if (this.s.startsWith('<?', this.pos)) {
        const end = this.s.indexOf('?>', this.pos + 2);
        if (end < 0) throw new XmlError('unterminated processing instruction');
        if (!/^<\?xml[\s?]/.test(this.s.slice(this.pos, this.pos + 6))) throw new XmlError('processing instructions are not accepted');
        this.pos = end + 2;
        continue;
      }
      if (this.s.startsWith('<!', this.pos)) throw new XmlError('DTDs and declarations are not accepted');
      return;
    }
  }

  private skipWhitespaceAndComments(): void {
    for (;;) {
      while (this.pos < this.s.length && isSpace(this.s.charCodeAt(this.pos))) this.pos++;
      if (this.s.startsWith('<!--', this.pos)) {
        const end = this.s.indexOf('-->', this.pos + 4);
        if (end < 0) throw new XmlError('unterminated comment');
        this.pos = end + 3;
        continue;
      }
      return;
    }
  }

  private openTag(): { name: string; selfClosing: boolean } {
    if (this.s[this.pos] !== '<') throw new XmlError(`expected an element at offset ${this.pos}`);
    const end = this.s.indexOf('>', this.pos);
    if (end < 0) throw new XmlError('unterminated tag');
    let inner = this.s.slice(this.pos + 1, end);
    this.pos = end + 1;
    const selfClosing = inner.endsWith('/');
    if (selfClosing) inner = inner.slice(0, -1);
    // Attributes are tolerated and ignored (namespaces, encodings); names must be sane.
    const name = inner.trim().split(/\s+/, 1)[0] ?? '';
    if (!NAME.test(name)) throw new XmlError(`bad element name at offset ${this.pos}`);
    return { name, selfClosing };
  }

  private closeTag(name: string): void {
    const end = this.s.indexOf('>', this.pos);
    if (end < 0) throw new XmlError('unterminated closing tag');
    const got = this.s.slice(this.pos + 2, end).trim();
    // Cut: the message goes into the 400 reply and the log, and `got` is up to 8 KiB of input.
    if (got !== name) throw new XmlError(`</${got.slice(0, 32)}> does not close <${name}>`);
    this.pos = end + 1;
  }

  /** Text (and CDATA) up to `</name>`; a nested element is refused. */
  private leafText(name: string): string {
    let out = '';
    for (;;) {
      const lt = this.s.indexOf('<', this.pos);
      if (lt < 0) throw new XmlError(`unclosed <${name}>`);
      out += decodeEntities(this.s.slice(this.pos, lt));
      this.pos = lt;
      if (this.s.startsWith('<![CDATA[', lt)) {
        const end = this.s.indexOf(']]>', lt + 9);
        if (end < 0) throw new XmlError('unterminated CDATA');
        out += this.s.slice(lt + 9, end);
        this.pos = end + 3;
        continue;
      }
      if (this.s.startsWith('<!--', lt)) {
        this.skipWhitespaceAndComments();
        continue;
      }
      if (this.s.startsWith('</', lt)) {
        this.closeTag(name);
        return out;
      }
      throw new XmlError(`<${name}> must contain text only`);
    }
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

/** A Map: `&constructor;` must be an unknown entity, not Object.prototype's member. */
const PREDEFINED: ReadonlyMap<string, string> = new Map([
  ['lt', '<'],
  ['gt', '>'],
  ['amp', '&'],
  ['quot', '"'],
  ['apos', "'"],
]);

function decodeEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&([^;]{0,12});?/g, (whole, ref: string) => {
    if (!whole.endsWith(';')) throw new XmlError('unterminated entity reference');
    const named = PREDEFINED.get(ref);
    if (named !== undefined) return named;
    const m = /^#(x[0-9a-fA-F]{1,6}|[0-9]{1,7})$/.exec(ref);
    if (!m) throw new XmlError(`unknown entity &${ref};`);
    const code = m[1]!.startsWith('x') ? parseInt(m[1]!.slice(1), 16) : parseInt(m[1]!, 10);
    if (code === 0 || code > 0x10ffff || (code >= 0xd800 && code <= 0xdfff)) throw new XmlError(`bad character reference &${ref};`);
    return String.fromCodePoint(code);
  });
}

/** Escapes text for an element body. */
export function escapeXml(text: string): string {
  return text.replace(/[<>&"']/g, (c) => `&${c === '<' ? 'lt' : c === '>' ? 'gt' : c === '&' ? 'amp' : c === '"' ? 'quot' : 'apos'};`);
}
