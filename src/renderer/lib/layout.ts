/** Auto layout with dagre (left to right), using measured node sizes where known. */
import dagre from '@dagrejs/dagre';
import type { Position, Workflow } from '../../contract';

export const NODE_WIDTH = 210;
export const NODE_HEIGHT = 78;

export function layoutWorkflow(
  wf: Pick<Workflow, 'nodes' | 'edges'>,
  sizes: ReadonlyMap<string, { width: number; height: number }> = new Map(),
): Record<string, Position> {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 28, ranksep: 64, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of wf.nodes) {
    const size = sizes.get(n.id) ?? { width: NODE_WIDTH, height: NODE_HEIGHT };
    g.setNode(n.id, { width: size.width, height: size.height });
  }
  for (const e of wf.edges) if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target);
  dagre.layout(g);
  const out: Record<string, Position> = {};
  for (const n of wf.nodes) {
    const p = g.node(n.id);
    // dagre gives centres; React Flow positions are top-left corners.
    if (p) out[n.id] = { x: Math.round(p.x - p.width / 2), y: Math.round(p.y - p.height / 2) };
  }
  return out;
}

/** A document where every node has a position (laying out when any is missing). */
export function withPositions(wf: Workflow): Workflow {
  if (wf.nodes.every((n) => n.position)) return wf;
  const pos = layoutWorkflow(wf);
  return { ...wf, nodes: wf.nodes.map((n) => ({ ...n, position: pos[n.id] ?? n.position ?? { x: 0, y: 0 } })) };
}
