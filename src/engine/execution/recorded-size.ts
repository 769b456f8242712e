/**
 * What a run may record. Every node input, output and log line goes into the event log
 * as JSON; one value too large to serialise (V8 strings end near 2^29 characters) used
 * to throw inside the log's write and take every run of the process down with it. So a
 * value is measured before it is recorded — without building its JSON text, which is
 * exactly what cannot be done for the values that matter — and a node whose value is
 * too large fails on its own with VALUE_TOO_LARGE.
 */
import { permanent, ToolError } from '../errors';

/** Largest JSON text (in characters) one recorded value may take. @default 32 Mi characters */
export const DEFAULT_MAX_RECORDED_CHARS = 32 * 1024 * 1024;

/** Nesting walked before a value is called unrecordable (JSON.stringify would overflow the stack). */
const MAX_DEPTH = 2_000;

export type RecordCheck = { ok: true; chars: number } | { ok: false; tooLarge: true; atLeastChars: number } | { ok: false; tooLarge: false; reason: string };

/**
 * The length of `JSON.stringify(value)`, counted by walking the value, stopping as soon
 * as it passes `limit`. Strings longer than what is left are judged by their length
 * alone (escapes only make them longer), so a 300-million-character string costs nothing.
 */
export function measureRecorded(value: unknown, limit: number): RecordCheck {
  const m = new Measure(limit, value);
  return m.walk(value, 0) ?? { ok: true, chars: m.chars };
}

/**
 * One measurement. A class with a method, not closures made per call: every node's input
 * and output is measured, and the common value (a small flat object) allocates nothing else.
 */
class Measure {
  chars = 0;
  /** Objects below the root on the current path (cycle check); made once the value nests. */
  private below: Set<object> | undefined;

  constructor(
    private readonly limit: number,
    private readonly root: unknown,
  ) {}

  private over(): RecordCheck {
    return { ok: false, tooLarge: true, atLeastChars: this.chars };
  }

  walk(v: unknown, depth: number): RecordCheck | undefined {
    switch (typeof v) {
      case 'string':
        if (v.length + 2 > this.limit - this.chars) {
          this.chars += v.length + 2;
          return this.over();
        }
        this.chars += jsonStringLength(v);
        return this.chars > this.limit ? this.over() : undefined;
      case 'number':
        this.chars += Number.isFinite(v) ? String(v).length : 4;
        return this.chars > this.limit ? this.over() : undefined;
      case 'boolean':
        this.chars += v ? 4 : 5;
        return undefined;
      case 'bigint':
        return { ok: false, tooLarge: false, reason: 'it holds a BigInt, which JSON cannot represent' };
      case 'undefined':
      case 'function':
      case 'symbol':
        this.chars += 4; // dropped, or `null` inside arrays: at most this much
        return undefined;
    }
    if (v === null) {
      this.chars += 4;
      return undefined;
    }
    const obj = v as Record<string, unknown> & { toJSON?: unknown };
    if (typeof obj.toJSON === 'function') return this.walk((obj.toJSON as () => unknown)(), depth);
    if (depth > MAX_DEPTH) return { ok: false, tooLarge: false, reason: `it is nested more than ${MAX_DEPTH} levels deep` };
    const nested = obj !== this.root;
    if (!nested ? depth > 0 : this.below?.has(obj)) return { ok: false, tooLarge: false, reason: 'it refers to itself (a circular structure)' };
    if (nested) (this.below ??= new Set()).add(obj);
    this.chars += 2;
    if (Array.isArray(obj)) {
      this.chars += Math.max(0, obj.length - 1);
      if (this.chars > this.limit) return this.over();
      for (const item of obj) {
        const r = this.walk(item, depth + 1);
        if (r) return r;
      }
    } else {
      for (const key of Object.keys(obj)) {
        this.chars += jsonStringLength(key) + 2; // "key": and a comma (one too many at most)
        const r = this.walk(obj[key], depth + 1);
        if (r) return r;
      }
    }
    if (nested) this.below!.delete(obj);
    return this.chars > this.limit ? this.over() : undefined;
  }
}

/** Throws the node's permanent error when `value` cannot be recorded; `what` names it ("the resolved input"). */
export function assertRecordable(value: unknown, what: string, limit = DEFAULT_MAX_RECORDED_CHARS): void {
  const r = measureRecorded(value, limit);
  if (r.ok) return;
  if (r.tooLarge) {
    throw permanent(
      'VALUE_TOO_LARGE',
      `${what} is at least ${r.atLeastChars.toLocaleString('en-US')} characters as JSON, over the ${limit.toLocaleString('en-US')}-character limit of what a run records`,
    );
  }
  throw permanent('VALUE_NOT_JSON', `${what} cannot be recorded: ${r.reason}`);
}

/** A RangeError from building a string past V8's limit, as the node's VALUE_TOO_LARGE. */
export function asValueTooLarge(err: unknown, what: string): unknown {
  if (err instanceof RangeError && /Invalid string length/.test(err.message) && !(err instanceof ToolError)) {
    return permanent('VALUE_TOO_LARGE', `${what} is longer than the longest string JavaScript can hold (about 2^29 characters)`);
  }
  return err;
}

/** Characters of `s` as a JSON string literal, quotes included. */
function jsonStringLength(s: string): number {
  let n = s.length + 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20) n += c === 8 || c === 9 || c === 10 || c === 12 || c === 13 ? 1 : 5;
    else if (c === 0x22 || c === 0x5c) n += 1;
    else if (c >= 0xd800 && c <= 0xdfff) {
      // A lone surrogate is written as \uXXXX; a proper pair stays as is.
      const pair = c <= 0xdbff ? i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00 : false;
      if (pair) i++;
      else n += 5;
    }
  }
  return n;
}
