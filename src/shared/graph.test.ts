import { describe, expect, it } from 'vitest';
import { ancestorsOf, buildGraph, descendants, wouldCreateCycle } from './graph';

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
    expect(ancestorsOf(wf([['a', 'b'], ['b', 'c'], ['a', 'd']]).edges, 'c')).toEqual(['b', 'a']);
  });

  it('lists ancestors nearest first, each once, on a diamond', () => {
    const { edges } = wf([['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd']]);
    expect(ancestorsOf(edges, 'd')).toEqual(['b', 'c', 'a']);
    expect(ancestorsOf(edges, 'a')).toEqual([]);
  });

  it('tells whether a new edge would close a cycle', () => {
    const { edges } = wf([['a', 'b'], ['b', 'c']]);
    expect(wouldCreateCycle(edges, 'c', 'a')).toBe(true);
    expect(wouldCreateCycle(edges, 'b', 'b')).toBe(true);
    expect(wouldCreateCycle(edges, 'a', 'c')).toBe(false);
    expect(wouldCreateCycle(edges, 'd', 'a')).toBe(false);
  });

  it('handles a 10,000-node chain with a back edge without overflowing', () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `n${i}`);
    const edges: [string, string][] = ids.slice(1).map((id, i) => [ids[i], id]);
    edges.push(['n9999', 'n0']);
    const g = buildGraph(wf(edges, ids));
    expect(g.cycle?.length).toBe(10_001);
  });
});
