/**
 * A single linear pass over JSON text, before `JSON.parse`: finds how deep it nests
 * (a 10,000-level document must be refused, not crash a recursive walker later) and
 * where the first syntax error is, as a line and column a person can jump to — V8's
 * own messages sometimes give neither. It keeps no values, only a bounded stack.
 */

export interface JsonScan {
  /** Deepest nesting of objects and arrays. */
  maxDepth: number;
  /** The first syntax error, when there is one. */
  error?: { message: string; offset: number; line: number; column: number };
}

const OBJECT = 1;
const ARRAY = 2;

const enum Expect {
  Value,
  /** After a value: `,`, a closing bracket, or the end. */
  AfterValue,
  /** Just after `{`: a key or `}`. */
  KeyOrEnd,
  /** After `,` in an object: a key. */
  Key,
  Colon,
}

/**
 * Scans `text`. Once nesting passes `depthLimit` it stops checking syntax and only counts
 * brackets (outside strings), so the stack never grows beyond the limit however deep the text goes.
 */
export function scanJson(text: string, depthLimit = 200): JsonScan {
  const stack = new Uint8Array(depthLimit + 1);
  let depth = 0;
  let maxDepth = 0;
  let expect: Expect = Expect.Value;
  let i = 0;
  const n = text.length;
  const fail = (what: string, at = i): JsonScan => ({ maxDepth, error: locate(text, at, `${what}, found ${describe(text, at)}`) });

  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      i++;
      continue;
    }
    if (maxDepth > depthLimit) {
      // Too deep already: only the depth matters now, so count brackets to the end
      // (skipping strings, whose brackets do not count) and stop checking syntax.
      if (c === 0x22) i = skipString(text, i);
      else {
        if (c === 0x7b || c === 0x5b) maxDepth = Math.max(maxDepth, ++depth);
        else if (c === 0x7d || c === 0x5d) depth--;
        i++;
      }
      continue;
    }
    switch (expect) {
      case Expect.Value:
      case Expect.KeyOrEnd:
      case Expect.Key: {
        const inObjectKey: boolean = expect !== Expect.Value;
        if (c === 0x22) {
          const end = skipString(text, i);
          if (end < 0) return fail('unterminated string');
          if (end === -2) return fail('a control character (such as a raw line break) inside a string', controlAt(text, i));
          i = end;
          expect = inObjectKey ? Expect.Colon : Expect.AfterValue;
          continue;
        }
        if (expect === Expect.KeyOrEnd && c === 0x7d) {
          depth--;
          i++;
          expect = Expect.AfterValue;
          continue;
        }
        if (inObjectKey) {
          const hint = c === 0x7d ? ' (a trailing comma?)' : c === 0x27 ? ' (JSON needs double quotes)' : '';
          return fail(`expected a property name in double quotes${hint}`);
        }
        if (c === 0x7b || c === 0x5b) {
          depth++;
          if (depth > maxDepth) maxDepth = depth;
          if (depth <= depthLimit) stack[depth] = c === 0x7b ? OBJECT : ARRAY;
          i++;
          expect = c === 0x7b ? Expect.KeyOrEnd : Expect.Value;
          // `[]`: an array may close right away.
          if (c === 0x5b) {
            const j = skipSpace(text, i);
            if (text.charCodeAt(j) === 0x5d) {
              depth--;
              i = j + 1;
              expect = Expect.AfterValue;
            }
          }
          continue;
        }
        const end = scanScalar(text, i);
        if (end > i) {
          i = end;
          expect = Expect.AfterValue;
          continue;
        }
        if (c === 0x5d && stack[depth] === ARRAY) return fail('expected a value (a trailing comma?)');
        if (c === 0x2f) return fail('expected a value (JSON has no comments)');
        if (c === 0x27) return fail('expected a value (JSON strings need double quotes)');
        return fail('expected a value');
      }
      case Expect.Colon:
        if (c !== 0x3a) return fail(`expected ':' after a property name`);
        i++;
        expect = Expect.Value;
        continue;
      case Expect.AfterValue: {
        const container = depth > 0 ? stack[depth] : 0;
        if (container === 0) return fail('expected the end of the document after the value');
        const close = container === OBJECT ? 0x7d : 0x5d;
        if (c === 0x2c) {
          i++;
          expect = container === OBJECT ? Expect.Key : Expect.Value;
          continue;
        }
        if (c === close) {
          depth--;
          i++;
          continue;
        }
        return fail(container === OBJECT ? `expected ',' or '}' after a property value` : `expected ',' or ']' after an array element`);
      }
    }
  }
  // Too deep: the caller refuses it for that; its syntax past the limit was not checked.
  if (maxDepth > depthLimit) return { maxDepth };
  if (depth > 0) return fail(`the document ends inside ${depth} unclosed bracket${depth === 1 ? '' : 's'}`, n);
  if (expect === Expect.Value) return fail('expected a value', n);
  return { maxDepth };
}

/** Index just past the closing quote; -1 when unterminated, -2 on a raw control character. */
function skipString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) return i + 1;
    if (c === 0x5c) i++;
    else if (c < 0x20) return -2;
  }
  return -1;
}

function controlAt(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c) i++;
    else if (c < 0x20) return i;
  }
  return start;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && /[ \t\r\n]/.test(text[i])) i++;
  return i;
}

const SCALAR = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

/** End of a number or literal starting at `i`, or `i` when there is none. */
function scanScalar(text: string, i: number): number {
  SCALAR.lastIndex = i;
  const m = SCALAR.exec(text);
  if (!m) return i;
  const end = i + m[0].length;
  // `truex`, `12abc`: the literal must end at a delimiter.
  const next = text.charCodeAt(end);
  if (end < text.length && !(next === 0x2c || next === 0x7d || next === 0x5d || next === 0x3a || next === 0x20 || next === 0x0a || next === 0x0d || next === 0x09)) {
    return i;
  }
  return end;
}

function describe(text: string, at: number): string {
  if (at >= text.length) return 'the end of the file';
  const c = text.codePointAt(at)!;
  if (c < 0x20) return `a control character (U+${c.toString(16).padStart(4, '0').toUpperCase()})`;
  const word = /^[A-Za-z0-9_$.+-]{2,20}/.exec(text.slice(at, at + 20))?.[0];
  return word ? `"${word}"` : `'${String.fromCodePoint(c)}'`;
}

function locate(text: string, offset: number, what: string): JsonScan['error'] & object {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  const column = offset - lineStart + 1;
  return { message: `line ${line}, column ${column}: ${what}`, offset, line, column };
}
