/**
 * Editor-only helpers: fresh ids and the clipboard format for copy/paste between
 * workflows. (The graph questions the engine asks too live in src/shared/graph.ts.)
 */
import type { Edge, Workflow, WorkflowNode } from '../../contract';

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
