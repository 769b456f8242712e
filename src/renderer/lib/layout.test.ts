import { describe, expect, it } from 'vitest';
import { realisticWorkflow } from '../../../bench/workflow-shapes';
import type { Workflow } from '../../contract';
import { elkGraph, layoutGraph, THOROUGH_UP_TO } from './layout';
import { layoutInput, rankedPositions, type LayoutInput, type Positions } from './layout-input';

/** Pairs of nodes whose boxes overlap (sweep over x, so 1,000 nodes stay quick). */
function overlaps(input: LayoutInput, pos: Positions): string[] {
  const boxes = input.nodes.map((n) => ({ id: n.id, x: pos[n.id].x, y: pos[n.id].y, w: n.width, h: n.height })).sort((a, b) => a.x - b.x);
  const found: string[] = [];
  for (let i = 0; i < boxes.length; i++) {
    const a = boxes[i];
    for (let j = i + 1; j < boxes.length && boxes[j].x < a.x + a.w; j++) {
      const b = boxes[j];
      if (b.y < a.y + a.h && a.y < b.y + b.h) found.push(`${a.id}/${b.id}`);
    }
  }
  return found;
}

/** For each condition: [true target y, false target y] where it has both. */
function branchRows(wf: Workflow, pos: Positions): { node: string; trueY: number; falseY: number }[] {
  const rows = [];
  for (const n of wf.nodes.filter((x) => x.kind === 'condition')) {
    const yes = wf.edges.find((e) => e.source === n.id && e.branch === 'true');
    const no = wf.edges.find((e) => e.source === n.id && e.branch === 'false');
    if (yes && no) rows.push({ node: n.id, trueY: pos[yes.target].y, falseY: pos[no.target].y });
  }
  return rows;
}

/** Condition c → a (false, written first) and b (true): the document order alone would put false on top. */
const small: Workflow = {
  id: 'small',
  name: 'small',
  version: 1,
  settings: {},
  nodes: [
    { id: 'start', kind: 'input', inputs: { name: 'x' } },
    { id: 'c', kind: 'condition', inputs: { test: '{{input.x}}' } },
    { id: 'no', kind: 'tool', tool: 'text.template', inputs: {} },
    { id: 'yes', kind: 'tool', tool: 'text.template', inputs: {} },
    { id: 'end', kind: 'output', inputs: {} },
  ],
  edges: [
    { id: 'e1', source: 'start', target: 'c' },
    { id: 'e2', source: 'c', target: 'no', branch: 'false' },
    { id: 'e3', source: 'c', target: 'yes', branch: 'true' },
    { id: 'e4', source: 'yes', target: 'end' },
    { id: 'e5', source: 'no', target: 'end' },
  ],
};

describe('auto layout (ELK layered, left to right)', () => {
  it('puts a condition’s true branch above its false branch, even when the false edge is written first', async () => {
    const pos = await layoutGraph(layoutInput(small));
    expect(pos.yes.y).toBeLessThan(pos.no.y);
    expect(pos.start.x).toBeLessThan(pos.c.x);
    expect(pos.c.x).toBeLessThan(pos.yes.x);
    expect(pos.yes.x).toBeLessThan(pos.end.x);
  });

  it('positions every node of a small workflow, flowing left to right, with no overlaps, at measured sizes', async () => {
    const wf = realisticWorkflow(120, ['chain', 'fan', 'map', 'condition'], 7);
    // Some nodes measured taller and wider than the default box (long labels, open previews).
    const sizes = new Map(wf.nodes.filter((_, i) => i % 5 === 0).map((n) => [n.id, { width: 320, height: 160 }]));
    const input = layoutInput(wf, sizes);
    expect(input.nodes.length).toBeLessThanOrEqual(THOROUGH_UP_TO);
    const pos = await layoutGraph(input);
    expect(Object.keys(pos).sort()).toEqual(wf.nodes.map((n) => n.id).sort());
    expect(overlaps(input, pos)).toEqual([]);
    for (const e of wf.edges) expect(pos[e.source].x, `${e.source} → ${e.target}`).toBeLessThan(pos[e.target].x);
    const rows = branchRows(wf, pos);
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) expect(r.trueY, `condition ${r.node}`).toBeLessThan(r.falseY);
  });

  it('lays out 1,000 nodes of mixed shapes: all positioned, none overlapping, true above false', async () => {
    const wf = realisticWorkflow(1_000);
    const input = layoutInput(wf);
    expect(input.nodes.length).toBeGreaterThan(THOROUGH_UP_TO);
    const pos = await layoutGraph(input);
    expect(Object.keys(pos)).toHaveLength(wf.nodes.length);
    for (const n of wf.nodes) expect(Number.isFinite(pos[n.id].x) && Number.isFinite(pos[n.id].y), n.id).toBe(true);
    expect(overlaps(input, pos)).toEqual([]);
    const rows = branchRows(wf, pos);
    expect(rows.length).toBeGreaterThan(10);
    for (const r of rows) expect(r.trueY, `condition ${r.node}`).toBeLessThan(r.falseY);
  }, 60_000);

  it('leaves out edges to nodes that do not exist (a draft) and still places every node', async () => {
    const draft = { ...small, edges: [...small.edges, { id: 'dangling', source: 'end', target: 'gone' }] };
    expect(elkGraph(layoutInput(draft)).edges).toHaveLength(small.edges.length);
    expect(Object.keys(await layoutGraph(layoutInput(draft))).sort()).toEqual(['c', 'end', 'no', 'start', 'yes']);
  });
});

describe('ranked fallback arrangement', () => {
  it('places every node by column without overlaps, each edge going right, even with a cycle in a draft', () => {
    const wf = realisticWorkflow(500);
    const input = layoutInput(wf);
    const pos = rankedPositions(input);
    expect(Object.keys(pos)).toHaveLength(wf.nodes.length);
    expect(overlaps(input, pos)).toEqual([]);
    for (const e of wf.edges) expect(pos[e.source].x).toBeLessThan(pos[e.target].x);
    const cyclic = layoutInput({ nodes: small.nodes, edges: [...small.edges, { id: 'back', source: 'end', target: 'start' }] });
    const cpos = rankedPositions(cyclic);
    expect(Object.keys(cpos)).toHaveLength(small.nodes.length);
    expect(overlaps(cyclic, cpos)).toEqual([]);
  });
});
