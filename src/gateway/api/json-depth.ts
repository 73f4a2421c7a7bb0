/**
 * Whether JSON text nests arrays and objects deeper than `max`, found by one scan that
 * skips strings — no recursion. `JSON.parse` copes with deep nesting, but anything walking
 * the value afterwards (`JSON.stringify` in a request fingerprint) recursed 5,000 levels
 * deep and overflowed the stack. Brackets are counted, not matched: the parse that follows
 * refuses text that is not JSON.
 */
export function nestedDeeperThan(text: string, max: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) inString = true;
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return true;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return false;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
