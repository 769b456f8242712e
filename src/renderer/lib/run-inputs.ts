/** Run inputs as a form holds them (text, or a checkbox state) and as the run receives them (typed). */
import type { RunInputSpec } from '../../contract';

/** A declared default as the text (or checkbox state) the field starts with. */
export function initialValue(spec: RunInputSpec): string | boolean {
  if (spec.type === 'boolean') return spec.default === true || spec.default === 'true';
  if (spec.default === undefined) return '';
  if (spec.type === 'json') return JSON.stringify(spec.default, null, 2);
  return String(spec.default);
}

/** The typed value of one field, or the reason it is not acceptable; `undefined` leaves it out. */
export function parseRunInput(name: string, spec: RunInputSpec, raw: string | boolean): { value?: unknown; error?: string } {
  if (spec.type === 'boolean') return { value: raw === true };
  const text = String(raw);
  if (!text.trim()) return spec.required ? { error: `${name} is required.` } : {};
  if (spec.type === 'number') {
    const n = Number(text.trim());
    return Number.isFinite(n) ? { value: n } : { error: `${name} must be a number, like 3 or 2.5.` };
  }
  if (spec.type === 'json') {
    try {
      return { value: JSON.parse(text) };
    } catch (e) {
      return { error: `${name} is not valid JSON: ${(e as Error).message}` };
    }
  }
  return { value: text };
}

