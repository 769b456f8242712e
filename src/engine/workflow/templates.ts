/**
 * Resolving bindings against a run (the template language itself: src/shared/templates.ts).
 * A string that is exactly one reference keeps the referenced value's JSON type;
 * references inside longer text are stringified (objects as JSON).
 */
import { parseTemplate, type Reference, type Segment } from '../../shared/templates';
import { permanent } from '../errors';

export interface TemplateScope {
  /** Outputs of nodes that have run. */
  nodes: Record<string, { output: unknown } | undefined>;
  input: Record<string, unknown>;
  /** Set only while resolving a map node's per-item input. */
  item?: unknown;
  index?: number;
}

/**
 * Resolves every template in a binding against the scope. Item references are left
 * as written when the scope has no item (a map node resolves them per item later).
 * A reference to a missing value is a permanent error naming the reference.
 */
export function resolveBindings(value: unknown, scope: TemplateScope, depth = 0): unknown {
  if (typeof value === 'string') return value.includes('{{') || value.includes('\\{{') ? resolveString(value, scope) : value;
  if (depth > 64 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => resolveBindings(v, scope, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = resolveBindings(v, scope, depth + 1);
  return out;
}

function resolveString(s: string, scope: TemplateScope): unknown {
  let segments: Segment[];
  try {
    segments = parseTemplate(s);
  } catch (e) {
    throw permanent('BAD_TEMPLATE', (e as Error).message);
  }
  const deferItems = scope.item === undefined && scope.index === undefined;
  if (segments.length === 1 && 'ref' in segments[0]) {
    const ref = segments[0].ref;
    if (deferItems && (ref.root === 'item' || ref.root === 'index')) return s;
    return lookup(ref, scope);
  }
  let text = '';
  for (const seg of segments) {
    if ('text' in seg) text += seg.text;
    else if (deferItems && (seg.ref.root === 'item' || seg.ref.root === 'index')) text += `{{${seg.ref.raw}}}`;
    else text += stringify(lookup(seg.ref, scope));
  }
  return text;
}

function stringify(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === undefined || v === null) return '';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

function lookup(ref: Reference, scope: TemplateScope): unknown {
  let base: unknown;
  let where: string;
  if (ref.root === 'nodes') {
    const entry = scope.nodes[ref.nodeId!];
    if (!entry) throw permanent('BAD_REFERENCE', `{{${ref.raw}}}: node "${ref.nodeId}" has no output (it has not run, or was skipped)`);
    base = entry.output;
    where = `nodes.${ref.nodeId}.output`;
  } else if (ref.root === 'input') {
    base = scope.input;
    where = 'input';
  } else if (ref.root === 'index') {
    return scope.index;
  } else {
    base = scope.item;
    where = 'item';
  }
  for (const key of ref.path) {
    if (base === null || base === undefined || typeof base !== 'object' || !(key in (base as object))) {
      const keys = base && typeof base === 'object' ? Object.keys(base).slice(0, 20) : [];
      const hint = keys.length ? ` (it has: ${keys.join(', ')})` : base === undefined ? '' : ` (it is ${typeof base})`;
      throw permanent('BAD_REFERENCE', `{{${ref.raw}}}: ${where} has no "${key}"${hint}`);
    }
    base = (base as Record<string | number, unknown>)[key];
    where += typeof key === 'number' ? `[${key}]` : `.${key}`;
  }
  return base;
}
