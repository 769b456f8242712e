/**
 * Between a binding (any JSON value, strings may hold `{{…}}` references) and the text a
 * person types for it, by the kind of field the schema asks for. Pure, so the rules are
 * tested without a browser.
 */
import type { Schema } from './references';

/**
 * `text`: a string. `number`/`integer`, `boolean`, `enum`: a fixed control. `json`: any
 * value, typed as text or JSON (`[]`, `{"a": 1}`, `42`). `structured`: an object or list,
 * typed as JSON.
 */
export type FieldType = 'text' | 'number' | 'integer' | 'boolean' | 'enum' | 'json' | 'structured';

export type Mode = 'fixed' | 'expression';

function primary(s: Schema): string | undefined {
  return Array.isArray(s.type) ? s.type.find((x) => x !== 'null') : s.type;
}

/** The field type for a JSON Schema property. */
export function fieldTypeOf(s: Schema | undefined): FieldType {
  if (!s) return 'json';
  if (s.enum?.length) return 'enum';
  const alt = s.anyOf ?? s.oneOf;
  if (alt) {
    const kinds = alt.map(fieldTypeOf);
    if (kinds.length === 1) return kinds[0];
    // A union that takes text (file.write content: text, object or list) is typed as text or JSON.
    return kinds.includes('text') || kinds.includes('json') ? 'json' : 'structured';
  }
  switch (primary(s)) {
    case 'string':
      return 'text';
    case 'number':
      return 'number';
    case 'integer':
      return 'integer';
    case 'boolean':
      return 'boolean';
    case 'object':
    case 'array':
      return 'structured';
    default:
      return 'json';
  }
}

/** Whether a string holds a `{{reference}}` (a `\{{` is a literal brace pair). */
export function hasReference(v: unknown): boolean {
  return typeof v === 'string' && /(^|[^\\])\{\{/.test(v);
}

/**
 * The mode a stored value shows in: references, or text where the type wants a value. A
 * choice's own value is a string too (artifact.save format "csv"): that one shows as the choice.
 */
export function modeOf(type: FieldType, value: unknown, enumValues?: readonly unknown[]): Mode {
  if (hasReference(value)) return 'expression';
  if (type === 'enum' && enumValues?.includes(value)) return 'fixed';
  if (typeof value === 'string' && type !== 'text' && type !== 'json') return 'expression';
  return 'fixed';
}

/** The text shown for a value in a text control. */
export function valueToText(type: FieldType, value: unknown): string {
  if (value === undefined) return '';
  if (typeof value === 'string') {
    // Text that would read back as another JSON value is shown quoted, so it round-trips.
    if (type === 'json' && !hasReference(value) && parseJson(value).ok) return JSON.stringify(value);
    return value;
  }
  if (type === 'structured' || type === 'json') return JSON.stringify(value, null, 2);
  return JSON.stringify(value);
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  const t = text.trim();
  // Only what reads as JSON is parsed: `hello` is text, not a broken JSON document.
  if (!/^(?:[[{"-]|\d|true$|false$|null$)/.test(t)) return { ok: false, error: 'not JSON' };
  try {
    return { ok: true, value: JSON.parse(t) };
  } catch (e) {
    return { ok: false, error: (e as Error).message };
  }
}

export type Parsed = { ok: true; value: unknown; note?: string } | { ok: false; error: string };

/**
 * The value for typed text. Text with a reference is stored as typed (the engine resolves
 * it); empty text clears the field; otherwise the field type decides.
 */
export function textToValue(type: FieldType, text: string, mode: Mode): Parsed {
  if (text === '') return { ok: true, value: undefined };
  if (type === 'text') return { ok: true, value: text };
  const json = parseJson(text);
  // JSON holding references (`{"t": "{{nodes.a.output}}"}`) is an object; other text with a reference stays text.
  if (json.ok && (type === 'json' || (type === 'structured' && json.value !== null && typeof json.value === 'object'))) return json;
  if (hasReference(text)) return { ok: true, value: text };
  switch (type) {
    case 'json':
      if (json.ok) return json;
      return { ok: true, value: text, note: /^\s*[[{]/.test(text) ? `Kept as text (not valid JSON: ${json.error}).` : undefined };
    case 'structured':
      if (json.ok && json.value !== null && typeof json.value === 'object') return json;
      if (mode === 'expression') return { ok: true, value: text };
      return { ok: false, error: json.ok ? 'Expected a JSON object or list.' : `Not valid JSON yet: ${json.error}` };
    case 'number':
    case 'integer': {
      const n = Number(text.trim());
      if (text.trim() !== '' && Number.isFinite(n) && (type === 'number' || Number.isInteger(n))) return { ok: true, value: n };
      if (mode === 'expression') return { ok: true, value: text };
      return { ok: false, error: type === 'integer' ? 'Expected a whole number, or switch to Expression.' : 'Expected a number, or switch to Expression.' };
    }
    default:
      // Booleans and enums typed in Expression mode: a literal that fits is stored as the value.
      if (json.ok) return json;
      return { ok: true, value: text };
  }
}

/** The value a field keeps when the person switches it back to Fixed. */
export function toFixed(type: FieldType, value: unknown, enumValues?: readonly unknown[]): unknown {
  if (value === undefined) return undefined;
  switch (type) {
    case 'text':
    case 'json':
      // References become literal text: Fixed means "exactly this".
      return typeof value === 'string' ? value.replace(/(^|[^\\])\{\{/g, '$1\\{{') : value;
    case 'number':
    case 'integer': {
      const n = typeof value === 'number' ? value : Number(value);
      return Number.isFinite(n) ? n : undefined;
    }
    case 'boolean':
      return value === true || value === 'true' ? true : value === false || value === 'false' ? false : undefined;
    case 'enum':
      return enumValues?.find((x) => x === value || String(x) === String(value));
    case 'structured':
      return value !== null && typeof value === 'object' ? value : undefined;
  }
}
