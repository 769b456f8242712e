/**
 * A run's inputs: the given values, defaults from `settings.inputs`, and values typed
 * as the workflow declares (the CLI passes `--input n=3` as text).
 */
import type { Workflow } from '../../contract';

export function effectiveRunInputs(workflow: Workflow, given: Record<string, unknown>): { inputs: Record<string, unknown>; problems: string[] } {
  const inputs: Record<string, unknown> = { ...given };
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(workflow.settings.inputs ?? {})) {
    let value = given[name] ?? spec.default;
    if (value === undefined) {
      if (spec.required) problems.push(`missing required input "${name}"${spec.description ? ` (${spec.description})` : ''}; pass it with --input ${name}=…`);
      continue;
    }
    if (typeof value === 'string' && spec.type !== 'string') {
      const typed = fromText(value, spec.type);
      if (typed.ok) value = typed.value;
      else problems.push(`input "${name}" must be ${spec.type === 'json' ? 'JSON' : `a ${spec.type}`}, got "${value.slice(0, 80)}"`);
    }
    inputs[name] = value;
  }
  return { inputs, problems };
}

function fromText(text: string, type: 'number' | 'boolean' | 'json'): { ok: true; value: unknown } | { ok: false } {
  if (type === 'number') {
    const n = Number(text);
    return text.trim() !== '' && Number.isFinite(n) ? { ok: true, value: n } : { ok: false };
  }
  if (type === 'boolean') {
    const t = text.trim().toLowerCase();
    if (['true', 'yes', '1'].includes(t)) return { ok: true, value: true };
    if (['false', 'no', '0'].includes(t)) return { ok: true, value: false };
    return { ok: false };
  }
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
