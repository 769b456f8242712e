import { describe, expect, it } from 'vitest';
import { answerAncestry } from './ancestry';
import { buildGraph } from '../../shared/graph';

const graphOf = (ids: string[], edges: [string, string][]) =>
  buildGraph({
    nodes: ids.map((id) => ({ id, kind: 'tool', inputs: {} })) as never,
    edges: edges.map(([source, target], i) => ({ id: `e${i}`, source, target })),
  });

/** The plain answer: a search from x along children. */
function reaches(edges: [string, string][], x: string, y: string): boolean {
  const seen = new Set([x]);
  const stack = [x];
  while (stack.length) {
    const id = stack.pop()!;
    for (const [s, t] of edges) {
      if (s !== id || seen.has(t)) continue;
      if (t === y) return true;
      seen.add(t);
      stack.push(t);
    }
  }
  return false;
}

function allPairs(ids: string[]) {
  return ids.flatMap((ancestor) => ids.filter((node) => node !== ancestor).map((node) => ({ ancestor, node })));
}

describe('answerAncestry', () => {
  it('answers trees from the forest alone, through every child of a node', () => {
    // No node has two parents: the spanning forest is the graph. a has three subtrees, the
    // later ones deeper than one level, so a wrong DFS numbering shows as a missed ancestor.
    const ids = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'r', 's'];
    const edges: [string, string][] = [['a', 'b'], ['a', 'c'], ['a', 'd'], ['c', 'e'], ['e', 'f'], ['d', 'g'], ['d', 'h'], ['r', 's']];
    const questions = allPairs(ids);
    expect(answerAncestry(graphOf(ids, edges), questions)).toEqual(questions.map((q) => reaches(edges, q.ancestor, q.node)));
  });

  it('answers diamonds, chains and disconnected parts exactly', () => {
    const ids = ['a', 'b', 'c', 'd', 'e', 'x', 'y', 'z'];
    // a → b → d, a → c → d (diamond), d → e; x → y separate; z alone
    const edges: [string, string][] = [['a', 'b'], ['a', 'c'], ['b', 'd'], ['c', 'd'], ['d', 'e'], ['x', 'y']];
    const questions = allPairs(ids);
    const answers = answerAncestry(graphOf(ids, edges), questions);
    expect(answers).toEqual(questions.map((q) => reaches(edges, q.ancestor, q.node)));
    const yes = questions.filter((_, i) => answers[i]).map((q) => `${q.ancestor}>${q.node}`);
    expect(yes.sort()).toEqual(['a>b', 'a>c', 'a>d', 'a>e', 'b>d', 'b>e', 'c>d', 'c>e', 'd>e', 'x>y']);
  });

  it('matches a plain search on random DAGs (second parents off the spanning forest, several bitset chunks)', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (const n of [30, 120, 2600]) {
      const ids = Array.from({ length: n }, (_, i) => `n${i}`);
      const edges: [string, string][] = [];
      for (let i = 1; i < n; i++) {
        const parents = Math.floor(random() * 3); // 0, 1 or 2 parents: roots, tree edges and joins
        for (let k = 0; k < parents; k++) edges.push([`n${Math.floor(random() * i)}`, `n${i}`]);
      }
      const unique = [...new Map(edges.map((e) => [e.join('>'), e])).values()];
      // Every node asks about many others, so more than one 2,048-ancestor chunk is needed at n = 2600.
      const questions = Array.from({ length: n * 3 }, () => {
        const a = Math.floor(random() * n);
        let b = Math.floor(random() * n);
        if (b === a) b = (b + 1) % n;
        return { ancestor: `n${a}`, node: `n${b}` };
      });
      const answers = answerAncestry(graphOf(ids, unique), questions);
      const children = new Map<string, string[]>(ids.map((id) => [id, []]));
      for (const [s, t] of unique) children.get(s)!.push(t);
      const plain = questions.map(({ ancestor, node }) => {
        const seen = new Set([ancestor]);
        const stack = [ancestor];
        while (stack.length) {
          for (const c of children.get(stack.pop()!)!) {
            if (seen.has(c)) continue;
            seen.add(c);
            stack.push(c);
          }
        }
        return seen.has(node);
      });
      expect(answers, `n = ${n}`).toEqual(plain);
      expect(plain.some(Boolean) && plain.some((v) => !v)).toBe(true);
    }
  });

  it('answers for nodes on a cycle without looping', () => {
    const ids = ['a', 'b', 'c', 'd'];
    const edges: [string, string][] = [['a', 'b'], ['b', 'c'], ['c', 'b'], ['c', 'd']];
    const answers = answerAncestry(graphOf(ids, edges), [
      { ancestor: 'a', node: 'd' },
      { ancestor: 'd', node: 'b' },
    ]);
    expect(answers).toEqual([true, false]);
  });
});
