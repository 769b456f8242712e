/**
 * Small graph helpers the editor needs before the engine's validator answers: the quick
 * cycle check on connect, ancestors for template autocomplete, fresh ids, and the
 * clipboard format for copy/paste between workflows.
 */
import type { Edge, Workflow, WorkflowNode } from '../../contract';

/** Would adding source → target close a cycle? (DFS from target looking for source.) */
export function wouldCreateCycle(edges: readonly Edge[], source: string, target: string): boolean {
  if (source === target) return true;
  const out = new Map<string, string[]>();
  for (const e of edges) {
    const list = out.get(e.source);
    if (list) list.push(e.target);
    else out.set(e.source, [e.target]);
  }
  const seen = new Set<string>();
  const stack = [target];
  while (stack.length) {
    const id = stack.pop()!;
    if (id === source) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const next of out.get(id) ?? []) stack.push(next);
  }
  return false;
}

/** Every node upstream of `nodeId`, nearest first. */
export function ancestorsOf(edges: readonly Edge[], nodeId: string): string[] {
  const into = new Map<string, string[]>();
  for (const e of edges) {
    const list = into.get(e.target);
    if (list) list.push(e.source);
    else into.set(e.target, [e.source]);
  }
  const order: string[] = [];
  const seen = new Set<string>([nodeId]);
  const queue = [...(into.get(nodeId) ?? [])];
  while (queue.length) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    order.push(id);
    queue.push(...(into.get(id) ?? []));
  }
  return order;
}

/** An id like `fetch`, `fetch_2`, … that is not in `taken`, made safe for templates. */
export function freshId(base: string, taken: ReadonlySet<string>): string {
  let stem = base.replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^[^A-Za-z_]+/, '');
  if (!stem) stem = 'node';
  stem = stem.slice(0, 100);
  if (!taken.has(stem)) return stem;
  for (let i = 2; ; i++) {
    const id = `${stem}_${i}`;
    if (!taken.has(id)) return id;
  }
}

/** The text put on the system clipboard: pasteable into any workflow. */
export interface ClipboardPayload {
  kind: 'awe/selection';
  version: 1;
  nodes: WorkflowNode[];
  edges: Edge[];
}

export function selectionToClipboard(wf: Workflow, nodeIds: readonly string[]): ClipboardPayload {
  const ids = new Set(nodeIds);
  return {
    kind: 'awe/selection',
    version: 1,
    nodes: wf.nodes.filter((n) => ids.has(n.id)),
    edges: wf.edges.filter((e) => ids.has(e.source) && ids.has(e.target)),
  };
}

export function parseClipboard(text: string): ClipboardPayload | null {
  try {
    const v = JSON.parse(text);
    if (v?.kind === 'awe/selection' && Array.isArray(v.nodes) && Array.isArray(v.edges)) return v as ClipboardPayload;
  } catch {}
  return null;
}

/** Rewrites `{{nodes.<old>…}}` references inside any JSON value after pasted nodes got new ids. */
export function renameReferences(value: unknown, rename: ReadonlyMap<string, string>): unknown {
  if (typeof value === 'string') {
    return value.replace(/(\{\{\s*nodes\.)([A-Za-z_][A-Za-z0-9_-]*)/g, (m, pre: string, id: string) =>
      rename.has(id) ? pre + rename.get(id) : m,
    );
  }
  if (Array.isArray(value)) return value.map((v) => renameReferences(v, rename));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, renameReferences(v, rename)]));
  }
  return value;
}

/** Node ids whose inputs reference `{{nodes.<id>…}}` of a node that is gone. */
export function referencedNodeIds(value: unknown, into = new Set<string>()): Set<string> {
  if (typeof value === 'string') {
    for (const m of value.matchAll(/\{\{\s*nodes\.([A-Za-z_][A-Za-z0-9_-]*)/g)) into.add(m[1]);
  } else if (Array.isArray(value)) value.forEach((v) => referencedNodeIds(v, into));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => referencedNodeIds(v, into));
  return into;
}
