/**
 * "Is x upstream of y?" for every node reference of a document, answered together.
 * One search per question made validation quadratic (13 s at 20,000 nodes, 706 s at
 * 100,000 when nodes read distant ancestors). Here, in order of cost:
 *  1. a parent is an ancestor; a node later in the topological order is not;
 *  2. a spanning forest (each node under its first parent) numbered by a DFS: y inside
 *     x's interval means a real path x → … → y; in a graph where no node has two parents
 *     the forest is the graph, so outside means no (chains and trees end here, O(n));
 *  3. what is left: reachability bitsets propagated once along the topological order,
 *     32 asked-about ancestors per word, in chunks, each chunk only over the stretch of
 *     the order between its first ancestor and its last asking node.
 * Nodes on a cycle have no topological position; they get a bounded search (the cycle
 * itself is already reported, so giving up there only spares a second complaint).
 */
import type { Graph } from '../../shared/graph';

export interface AncestryQuestion {
  ancestor: string;
  node: string;
}

/** Ancestors handled per bitset pass (64 words of 32 bits): bounds memory to 256 bytes per node in the stretch. */
const WORDS_PER_CHUNK = 64;
const SOURCES_PER_CHUNK = WORDS_PER_CHUNK * 32;
/** Nodes visited by the searches for nodes on cycles, all together. */
const CYCLE_SEARCH_BUDGET = 1_000_000;

export function answerAncestry(graph: Graph, questions: readonly AncestryQuestion[]): boolean[] {
  const answers = new Array<boolean>(questions.length).fill(false);
  const position = new Map<string, number>();
  graph.order.forEach((id, i) => position.set(id, i));
  const forest = forestIntervals(graph, position);

  const open: number[] = [];
  let cycleBudget = CYCLE_SEARCH_BUDGET;
  questions.forEach(({ ancestor: x, node: y }, q) => {
    const px = position.get(x);
    const py = position.get(y);
    if (px === undefined || py === undefined) {
      const found = boundedSearch(graph, x, y, (n) => (cycleBudget -= n) > 0);
      answers[q] = found ?? true;
      return;
    }
    if (px >= py) return; // upstream nodes come first in a topological order
    if (graph.parents.get(y)!.includes(x)) answers[q] = true;
    else if (forest.contains(px, py)) answers[q] = true;
    else if (!forest.exact) open.push(q);
  });
  if (open.length) propagate(graph, position, questions, open, answers);
  return answers;
}

interface Forest {
  /** Whether y (by position) lies in x's subtree of the spanning forest. */
  contains(px: number, py: number): boolean;
  /** The forest is the whole graph (no node has two parents): `contains` is the full answer. */
  exact: boolean;
}

function forestIntervals(graph: Graph, position: Map<string, number>): Forest {
  const n = graph.order.length;
  const pre = new Int32Array(n).fill(-1);
  const last = new Int32Array(n);
  // Tree children as linked lists in typed arrays (first child, next sibling, in
  // topological order): no array per node.
  const firstChild = new Int32Array(n).fill(-1);
  const lastChild = new Int32Array(n).fill(-1);
  const nextSibling = new Int32Array(n).fill(-1);
  const roots: number[] = [];
  let exact = true;
  for (let i = 0; i < n; i++) {
    const parents = graph.parents.get(graph.order[i])!;
    if (parents.length > 1) exact = false;
    const first = parents.length ? position.get(parents[0]) : undefined;
    if (first === undefined) roots.push(i);
    else {
      if (lastChild[first] < 0) firstChild[first] = i;
      else nextSibling[lastChild[first]] = i;
      lastChild[first] = i;
    }
  }
  let counter = 0;
  // The DFS path and, for each node on it, the next tree child to enter.
  const stack = new Int32Array(n);
  const nextChild = new Int32Array(n);
  for (const root of roots) {
    pre[root] = counter++;
    let depth = 0;
    stack[0] = root;
    nextChild[0] = firstChild[root];
    while (depth >= 0) {
      const child = nextChild[depth];
      if (child >= 0) {
        nextChild[depth] = nextSibling[child];
        pre[child] = counter++;
        stack[++depth] = child;
        nextChild[depth] = firstChild[child];
      } else {
        last[stack[depth]] = counter - 1;
        depth--;
      }
    }
  }
  return { contains: (px, py) => pre[px] >= 0 && pre[py] >= pre[px] && pre[py] <= last[px], exact };
}

function propagate(graph: Graph, position: Map<string, number>, questions: readonly AncestryQuestion[], open: number[], answers: boolean[]): void {
  // Ancestors in topological order, so each chunk covers a short stretch when it can.
  const byAncestor = new Map<number, number[]>();
  for (const q of open) {
    const px = position.get(questions[q].ancestor)!;
    const list = byAncestor.get(px);
    if (list) list.push(q);
    else byAncestor.set(px, [q]);
  }
  const sources = [...byAncestor.keys()].sort((a, b) => a - b);
  const childPositions = graph.order.map((id) => graph.children.get(id)!.map((c) => position.get(c)!));
  for (let start = 0; start < sources.length; start += SOURCES_PER_CHUNK) {
    const chunk = sources.slice(start, start + SOURCES_PER_CHUNK);
    const lo = chunk[0];
    let hi = lo;
    for (const px of chunk) for (const q of byAncestor.get(px)!) hi = Math.max(hi, position.get(questions[q].node)!);
    const words = Math.ceil(chunk.length / 32);
    const rows = new Uint32Array((hi - lo + 1) * words);
    chunk.forEach((px, bit) => (rows[(px - lo) * words + (bit >>> 5)] |= 1 << (bit & 31)));
    for (let p = lo; p <= hi; p++) {
      const from = (p - lo) * words;
      let any = 0;
      for (let w = 0; w < words; w++) any |= rows[from + w];
      if (!any) continue;
      for (const c of childPositions[p]) {
        if (c > hi) continue;
        const to = (c - lo) * words;
        for (let w = 0; w < words; w++) rows[to + w] |= rows[from + w];
      }
    }
    chunk.forEach((px, bit) => {
      for (const q of byAncestor.get(px)!) {
        const py = position.get(questions[q].node)!;
        answers[q] = (rows[(py - lo) * words + (bit >>> 5)] & (1 << (bit & 31))) !== 0;
      }
    });
  }
}

/** Backward search from y for x; undefined when the shared budget ran out. */
function boundedSearch(graph: Graph, x: string, y: string, spend: (n: number) => boolean): boolean | undefined {
  const seen = new Set<string>([y]);
  const stack = [y];
  while (stack.length) {
    const id = stack.pop()!;
    const parents = graph.parents.get(id) ?? [];
    if (!spend(parents.length + 1)) return undefined;
    for (const p of parents) {
      if (p === x) return true;
      if (!seen.has(p)) {
        seen.add(p);
        stack.push(p);
      }
    }
  }
  return false;
}
