import { describe, expect, it } from 'vitest';
import { ancestors, buildGraph, descendants } from './graph';

const wf = (edges: [string, string][], ids = ['a', 'b', 'c', 'd']) => ({
  nodes: ids.map((id) => ({ id, kind: 'tool' as const, inputs: {} })),
  edges: edges.map(([source, target], i) => ({ id: `e${i}`, source, target })),
});

describe('graph', () => {
  it('orders a DAG topologically', () => {
    const g = buildGraph(wf([['a', 'b'], ['b', 'c'], ['a', 'd'], ['d', 'c']]));
    expect(g.cycle).toBeUndefined();
    expect(g.order.indexOf('a')).toBeLessThan(g.order.indexOf('b'));
    expect(g.order.indexOf('d')).toBeLessThan(g.order.indexOf('c'));
  });

  it('names a cycle as a closed path', () => {
    const g = buildGraph(wf([['a', 'b'], ['b', 'c'], ['c', 'b'], ['c', 'd']]));
    expect(g.cycle).toEqual(['b', 'c', 'b']);
  });

  it('finds ancestors and descendants', () => {
    const g = buildGraph(wf([['a', 'b'], ['b', 'c'], ['a', 'd']]));
    expect([...descendants(g, 'a')].sort()).toEqual(['b', 'c', 'd']);
    expect([...ancestors(g, 'c')].sort()).toEqual(['a', 'b']);
  });

  it('handles a 10,000-node chain with a back edge without overflowing', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `n${i}`);
    const edges: [string, string][] = ids.slice(1).map((id, i) => [ids[i], id]);
    edges.push(['n9999', 'n0']);
    const g = buildGraph(wf(edges, ids));
    expect(g.cycle?.length).toBe(10_001);
  });
});
