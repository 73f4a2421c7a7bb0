import { describe, expect, it } from 'vitest';
import { escapeXml, readFlatXml, XML_MAX_BYTES } from '../../../../src/gateway/ussd/xml-reader.js';

describe('readFlatXml', () => {
  it('reads a flat envelope with declaration, comments, attributes, CDATA and entities', () => {
    const r = readFlatXml(
      '\ufeff<?xml version="1.0" encoding="UTF-8"?>\n<!-- hi --><ussd xmlns="x"><MSISDN>254</MSISDN><msg><![CDATA[a<b]]> &amp; &#65;&#x42;</msg><empty/><msisdn>dup</msisdn></ussd>\n',
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.root).toBe('ussd');
    expect(Object.fromEntries(r.value.fields)).toEqual({ msisdn: '254', msg: 'a<b & AB', empty: '' });
  });

  it.each([
    ['a DOCTYPE (XXE, entity bombs)', '<!DOCTYPE a [<!ENTITY e "x">]><a><b>&e;</b></a>'],
    ['an unknown entity', '<a><b>&e;</b></a>'],
    ['an entity named like an Object.prototype member', '<a><b>&constructor;</b></a>'],
    ['an entity named __proto__', '<a><b>&__proto__;</b></a>'],
    ['an entity named toString', '<a><b>&toString;</b></a>'],
    ['a bare ampersand', '<a><b>a & b</b></a>'],
    ['nesting deeper than root → leaf', '<a><b><c>1</c></b></a>'],
    ['a mismatched close tag', '<a><b>1</c></a>'],
    ['content after the root', '<a></a><a></a>'],
    ['a processing instruction', '<?php echo 1 ?><a></a>'],
    ['an unterminated element', '<a><b>1</b>'],
    ['a bad character reference', '<a><b>&#0;</b></a>'],
    ['text', 'hello'],
    ['an empty body', ''],
  ])('refuses %s', (_, body) => {
    expect(readFlatXml(body).ok).toBe(false);
  });

  it('refuses bodies above the size bound before parsing', () => {
    const r = readFlatXml(`<a><b>${'x'.repeat(XML_MAX_BYTES)}</b></a>`);
    expect(r).toEqual({ ok: false, error: `larger than ${XML_MAX_BYTES} bytes` });
  });

  it('keeps error messages short whatever the input (they go to the reply and the log)', () => {
    for (const body of [`<a><b>1</${'x'.repeat(7000)}></a>`, `<a><b>1</b></${'y'.repeat(7000)}>`]) {
      const r = readFlatXml(body);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.length).toBeLessThan(120);
    }
  });

  it('refuses more than 32 fields', () => {
    expect(readFlatXml(`<a>${'<b>1</b>'.repeat(33)}</a>`).ok).toBe(false);
  });

  it('escapes text for element bodies', () => {
    expect(escapeXml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&apos;&amp;&apos;&lt;/a&gt;');
  });
});
