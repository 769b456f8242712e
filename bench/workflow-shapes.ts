/**
 * Large workflows of the shapes people build and planners generate, for the layout bench
 * and the layout tests: chains, fan-out/fan-in, map pipelines and condition branches,
 * strung together on a few parallel tracks with the odd cross-link. Seeded, so every run
 * lays out the same graph. Nodes carry no positions (as a generated file would).
 */
import type { Edge, Workflow, WorkflowNode } from '../src/contract';

/** A small deterministic PRNG (mulberry32), so the same seed gives the same workflow. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export type Shape = 'chain' | 'fan' | 'map' | 'condition';

interface Builder {
  nodes: WorkflowNode[];
  edges: Edge[];
  /** Node id to use next. */
  next: number;
}

function addNode(b: Builder, kind: WorkflowNode['kind'], label: string, extra: Partial<WorkflowNode> = {}): string {
  const id = `n${b.next++}`;
  const node: WorkflowNode =
    kind === 'condition'
      ? { id, kind, label, inputs: { test: true } }
      : kind === 'map'
        ? { id, kind, label, tool: 'text.template', inputs: { items: ['a', 'b'], with: { template: 'item {{item}}' } } }
        : kind === 'output'
          ? { id, kind, label, inputs: {} }
          : { id, kind: 'tool', tool: 'text.template', label, inputs: { template: label } };
  b.nodes.push({ ...node, ...extra });
  return id;
}

function link(b: Builder, source: string, target: string, branch?: 'true' | 'false'): void {
  b.edges.push({ id: `e${b.edges.length}`, source, target, ...(branch ? { branch } : {}) });
}

/** Appends one block after `from`; returns the block's exit node. */
function block(b: Builder, shape: Shape, from: string, rnd: () => number): string {
  const int = (lo: number, hi: number) => lo + Math.floor(rnd() * (hi - lo + 1));
  const chain = (start: string, length: number, label: string) => {
    let at = start;
    for (let i = 0; i < length; i++) {
      const id = addNode(b, 'tool', `${label} ${i + 1}`);
      link(b, at, id);
      at = id;
    }
    return at;
  };
  switch (shape) {
    case 'chain':
      return chain(from, int(3, 8), 'Step');
    case 'fan': {
      const ends: string[] = [];
      const width = int(3, 10);
      for (let i = 0; i < width; i++) ends.push(chain(from, int(1, 3), `Branch ${i + 1}`));
      const merged = addNode(b, 'tool', `Join ${width}`);
      for (const end of ends) link(b, end, merged);
      return merged;
    }
    case 'map': {
      const list = addNode(b, 'tool', 'List files');
      link(b, from, list);
      const map = addNode(b, 'map', 'Read each');
      link(b, list, map);
      return chain(map, int(1, 3), 'Transform');
    }
    case 'condition': {
      const cond = addNode(b, 'condition', 'Check');
      link(b, from, cond);
      const yes = addNode(b, 'tool', 'When true');
      link(b, cond, yes, 'true');
      const no = addNode(b, 'tool', 'When false');
      link(b, cond, no, 'false');
      const yesEnd = chain(yes, int(0, 3), 'True path');
      const noEnd = chain(no, int(0, 3), 'False path');
      const merged = addNode(b, 'tool', 'Merge');
      link(b, yesEnd, merged);
      link(b, noEnd, merged);
      return merged;
    }
  }
}

/**
 * A workflow of about `size` nodes (never fewer) built from `shapes`, on parallel tracks
 * (about one per 150 nodes) that start at one input and meet at one output; one block in
 * ten also feeds a block on a neighbouring track, as real pipelines share results.
 */
export function realisticWorkflow(size: number, shapes: readonly Shape[] = ['chain', 'fan', 'map', 'condition'], seed = 1): Workflow {
  const rnd = random(seed);
  const b: Builder = { nodes: [], edges: [], next: 0 };
  const start = addNode(b, 'tool', 'Start');
  const tracks = Math.max(1, Math.round(size / 150));
  const ends = Array.from({ length: tracks }, () => start);
  for (let round = 0; b.nodes.length < size - 1; round++) {
    const t = round % tracks;
    const shape = shapes[Math.floor(rnd() * shapes.length)];
    ends[t] = block(b, shape, ends[t], rnd);
    if (tracks > 1 && rnd() < 0.1) {
      const other = (t + 1) % tracks;
      const bridge = addNode(b, 'tool', 'Combine');
      link(b, ends[t], bridge);
      link(b, ends[other], bridge);
      ends[other] = bridge;
    }
  }
  const finish = addNode(b, 'output', 'Finish');
  for (const end of new Set(ends)) link(b, end, finish);
  return { id: `shapes-${shapes.join('-')}-${size}`, name: `${size} nodes: ${shapes.join(', ')}`, version: 1, nodes: b.nodes, edges: b.edges, settings: {} };
}
