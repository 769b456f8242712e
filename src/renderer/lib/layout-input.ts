/**
 * The layout's input and output, cheap to build on the main thread and to post to the
 * layout worker, plus an instant fallback arrangement. No ELK here, so the main bundle
 * never loads it.
 */
import type { Position, Workflow } from '../../contract';

export const NODE_WIDTH = 210;
export const NODE_HEIGHT = 78;

/** What layout needs of a workflow: small enough to post to a worker cheaply. */
export interface LayoutInput {
  nodes: { id: string; kind: string; width: number; height: number }[];
  edges: { source: string; target: string; branch?: 'true' | 'false' }[];
}

export type Positions = Record<string, Position>;

/** The layout input of a workflow, with measured node sizes where the canvas knows them. */
export function layoutInput(wf: Pick<Workflow, 'nodes' | 'edges'>, sizes: ReadonlyMap<string, { width: number; height: number }> = new Map()): LayoutInput {
  return {
    nodes: wf.nodes.map((n) => {
      const size = sizes.get(n.id);
      return { id: n.id, kind: n.kind, width: size?.width ?? NODE_WIDTH, height: size?.height ?? NODE_HEIGHT };
    }),
    edges: wf.edges.map((e) => (e.branch ? { source: e.source, target: e.target, branch: e.branch } : { source: e.source, target: e.target })),
  };
}

/**
 * Columns by longest path from the sources, rows in document order: instant at any size.
 * What a workflow without positions shows when its layout is cancelled or fails, so the
 * file still opens and nothing sits on top of anything.
 */
export function rankedPositions(input: LayoutInput): Positions {
  const rank = new Map<string, number>(input.nodes.map((n) => [n.id, 0]));
  const indegree = new Map<string, number>(input.nodes.map((n) => [n.id, 0]));
  const out = new Map<string, string[]>();
  for (const e of input.edges) {
    if (!rank.has(e.source) || !rank.has(e.target) || e.source === e.target) continue;
    (out.get(e.source) ?? out.set(e.source, []).get(e.source)!).push(e.target);
    indegree.set(e.target, indegree.get(e.target)! + 1);
  }
  const queue = input.nodes.filter((n) => indegree.get(n.id) === 0).map((n) => n.id);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i];
    for (const t of out.get(id) ?? []) {
      rank.set(t, Math.max(rank.get(t)!, rank.get(id)! + 1));
      const left = indegree.get(t)! - 1;
      indegree.set(t, left);
      if (left === 0) queue.push(t);
    }
  }
  // Nodes on a cycle (a broken draft) never reach indegree 0: they keep rank 0.
  const columnWidth = new Map<number, number>();
  for (const n of input.nodes) columnWidth.set(rank.get(n.id)!, Math.max(columnWidth.get(rank.get(n.id)!) ?? 0, n.width));
  const columnX = new Map<number, number>();
  let x = 20;
  for (const r of [...columnWidth.keys()].sort((a, b) => a - b)) {
    columnX.set(r, x);
    x += columnWidth.get(r)! + 64;
  }
  const nextY = new Map<number, number>();
  const positions: Positions = {};
  for (const n of input.nodes) {
    const r = rank.get(n.id)!;
    const y = nextY.get(r) ?? 20;
    positions[n.id] = { x: columnX.get(r)!, y };
    nextY.set(r, y + n.height + 28);
  }
  return positions;
}

/** The workflow with `positions` applied; nodes without one keep theirs (or the origin). */
export function placed(wf: Workflow, positions: Positions): Workflow {
  return { ...wf, nodes: wf.nodes.map((n) => ({ ...n, position: positions[n.id] ?? n.position ?? { x: 0, y: 0 } })) };
}
