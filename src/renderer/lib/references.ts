/**
 * What a field may refer to: upstream outputs (with the fields their schemas or last run
 * show), run inputs, and inside a map's per-item input the current item. Feeds the
 * `{{…}}` autocomplete and the draggable reference list of the inspector.
 */
import type { Workflow, WorkflowNode } from '../../contract';
import { ancestorsOf } from '../../shared/graph';
import { kindInfo, nodeOutputSchema, type Schema } from '../../shared/kinds';
import { parseTemplate } from '../../shared/templates';

export type { Schema };

export interface Suggestion {
  /** The reference without braces, e.g. `nodes.fetch.output.text`. */
  ref: string;
  /** A short type hint shown beside it. */
  hint?: string;
}

/** How deep the autocomplete lists fields of an output. */
const MAX_DEPTH = 3;

function typeName(s: Schema | undefined): string | undefined {
  if (!s) return undefined;
  if (Array.isArray(s.type)) return s.type.filter((t) => t !== 'null').join(' | ');
  if (s.type) return s.type;
  const alt = s.anyOf ?? s.oneOf;
  if (alt) return alt.map(typeName).filter(Boolean).join(' | ') || undefined;
  return undefined;
}

/** `prefix` and the dotted paths of its known fields, from a JSON Schema. */
export function schemaPaths(schema: Schema | undefined, prefix: string, depth = 0): Suggestion[] {
  const out: Suggestion[] = [{ ref: prefix, hint: typeName(schema) }];
  if (!schema || depth >= MAX_DEPTH) return out;
  for (const [key, sub] of Object.entries(schema.properties ?? {})) out.push(...schemaPaths(sub, `${prefix}.${key}`, depth + 1));
  return out;
}

/** The schema of `path` (dotted keys) inside `schema`, if known. */
export function schemaAt(schema: Schema | undefined, path: readonly string[]): Schema | undefined {
  let s = schema;
  for (const key of path) {
    if (!s) return undefined;
    s = /^\d+$/.test(key) && s.items ? s.items : s.properties?.[key];
  }
  return s;
}

/** The schema of one item of a map node, when `items` is a single reference to a known list. */
export function mapItemSchema(wf: Workflow, mapNode: WorkflowNode, toolOutput: (tool: string) => Schema | undefined): Schema | undefined {
  const items = mapNode.inputs.items;
  if (typeof items !== 'string') return undefined;
  let segments;
  try {
    segments = parseTemplate(items.trim());
  } catch {
    return undefined;
  }
  const only = segments.length === 1 && 'ref' in segments[0] ? segments[0].ref : undefined;
  if (only?.root !== 'nodes') return undefined;
  const source = wf.nodes.find((n) => n.id === only.nodeId);
  if (!source) return undefined;
  const list = schemaAt(nodeOutputSchema(source, toolOutput), only.path.map(String));
  return list?.items;
}

/**
 * References `nodeId` may use: every upstream node's output and its fields, the declared
 * run inputs and input nodes' names, and (with `item`) the current map item and index.
 */
export function referenceSuggestions(wf: Workflow, nodeId: string, toolOutput: (tool: string) => Schema | undefined, item?: { schema: Schema | undefined }): Suggestion[] {
  const out: Suggestion[] = [];
  if (item) {
    out.push(...schemaPaths(item.schema, 'item'));
    out.push({ ref: 'index', hint: 'integer' });
  }
  const byId = new Map(wf.nodes.map((n) => [n.id, n]));
  for (const id of ancestorsOf(wf.edges, nodeId)) {
    const node = byId.get(id);
    if (node) out.push(...schemaPaths(nodeOutputSchema(node, toolOutput), `nodes.${id}.output`));
  }
  const inputs = new Set(Object.keys(wf.settings.inputs ?? {}));
  for (const n of wf.nodes) {
    const name = kindInfo(n.kind).declaresInput?.(n);
    if (name) inputs.add(name);
  }
  for (const name of inputs) out.push({ ref: `input.${name}`, hint: wf.settings.inputs?.[name]?.type });
  return out;
}

/** Suggestions for what was typed after `{{`, best first: prefix matches, then the rest. */
export function matchSuggestions(all: readonly Suggestion[], query: string, limit = 8): Suggestion[] {
  const q = query.trim().toLowerCase();
  const starts: Suggestion[] = [];
  const contains: Suggestion[] = [];
  for (const s of all) {
    const r = s.ref.toLowerCase();
    if (r === q) continue;
    if (r.startsWith(q)) starts.push(s);
    else if (q && r.includes(q)) contains.push(s);
  }
  return [...starts, ...contains].slice(0, limit);
}
