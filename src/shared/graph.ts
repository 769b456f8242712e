/**
 * The DAG behind a workflow: parents, children, a topological order, and the cycle
 * when there is one. Built once per run (and per validation), O(nodes + edges). The
 * editor asks the same questions of its edges before the validator answers: would this
 * connection close a cycle, what is upstream of a node.
 *
 * Pure: imports only the contract; no Node APIs, no DOM.
 */
import type { Edge, Workflow } from '../contract';

export interface Graph {
  ids: string[];
  parents: Map<string, string[]>;
  children: Map<string, string[]>;
  /** In-edges per node (for branch handling). */
  inEdges: Map<string, Edge[]>;
  outEdges: Map<string, Edge[]>;
  /** Topological order; nodes on a cycle are missing from it. */
  order: string[];
  /** One cycle, as a closed path of ids (`a → b → a`), when the graph has one. */
  cycle?: string[];
}

export function buildGraph(workflow: Pick<Workflow, 'nodes' | 'edges'>): Graph {
  const ids = workflow.nodes.map((n) => n.id);
  const parents = new Map<string, string[]>();
  const children = new Map<string, string[]>();
  const inEdges = new Map<string, Edge[]>();
  const outEdges = new Map<string, Edge[]>();
  for (const id of ids) {
    parents.set(id, []);
    children.set(id, []);
    inEdges.set(id, []);
    outEdges.set(id, []);
  }
  for (const e of workflow.edges) {
    const into = parents.get(e.target);
    const from = children.get(e.source);
    if (!into || !from) continue; // dangling: reported by validation
    append(parents, e.target, into, e.source);
    append(children, e.source, from, e.target);
    append(inEdges, e.target, inEdges.get(e.target)!, e);
    append(outEdges, e.source, outEdges.get(e.source)!, e);
  }
  const order = topoOrder(ids, parents, children);
  const graph: Graph = { ids, parents, children, inEdges, outEdges, order };
  if (order.length < ids.length) graph.cycle = findCycle(ids, children, new Set(order));
  return graph;
}

/**
 * Adds `value` to `key`'s list. A first value gets a list of its own size: the first push
 * onto an empty array reserves 17 slots, and a 10,000-node graph's four lists per node
 * (kept for the whole run) would hold about 2.5 MB of empty slots.
 */
function append<T>(map: Map<string, T[]>, key: string, list: T[], value: T): void {
  if (list.length) list.push(value);
  else map.set(key, [value]);
}

function topoOrder(ids: string[], parents: Map<string, string[]>, children: Map<string, string[]>): string[] {
  // Only nodes with two or more parents need a count: one with a single parent is ready
  // as soon as that parent is placed.
  const indegree = new Map<string, number>();
  const order: string[] = [];
  for (const id of ids) {
    const n = parents.get(id)!.length;
    if (n === 0) order.push(id);
    else if (n > 1) indegree.set(id, n);
  }
  // `order` doubles as the queue: nodes are appended as they become ready.
  for (let i = 0; i < order.length; i++) {
    for (const c of children.get(order[i])!) {
      const d = indegree.get(c);
      if (d === undefined) order.push(c);
      else if (d === 1) {
        indegree.delete(c);
        order.push(c);
      } else indegree.set(c, d - 1);
    }
  }
  return order;
}

/** Iterative DFS (10,000-node chains must not overflow the stack). */
function findCycle(ids: string[], children: Map<string, string[]>, acyclic: Set<string>): string[] | undefined {
  const state = new Map<string, 1 | 2>(); // 1 = on stack, 2 = done
  for (const start of ids) {
    if (acyclic.has(start) || state.has(start)) continue;
    const stack: { id: string; next: number }[] = [{ id: start, next: 0 }];
    const path: string[] = [start];
    state.set(start, 1);
    while (stack.length) {
      const top = stack[stack.length - 1];
      const kids = children.get(top.id)!;
      if (top.next < kids.length) {
        const c = kids[top.next++];
        if (state.get(c) === 1) {
          const from = path.indexOf(c);
          return [...path.slice(from), c];
        }
        if (!state.has(c) && !acyclic.has(c)) {
          state.set(c, 1);
          stack.push({ id: c, next: 0 });
          path.push(c);
        }
      } else {
        state.set(top.id, 2);
        stack.pop();
        path.pop();
      }
    }
  }
  return undefined;
}

/** Every node reachable by following edges forward from `id` (not including it). */
export function descendants(graph: Graph, id: string): Set<string> {
  return reach(graph.children, id);
}

function reach(next: Map<string, string[]>, id: string): Set<string> {
  const seen = new Set<string>();
  const stack = [...(next.get(id) ?? [])];
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n)) continue;
    seen.add(n);
    for (const m of next.get(n) ?? []) if (!seen.has(m)) stack.push(m);
  }
  return seen;
}

/** `edges` as lists of neighbours: targets per source (`forward`) or sources per target. */
function adjacency(edges: readonly Edge[], forward: boolean): Map<string, string[]> {
  const next = new Map<string, string[]>();
  for (const e of edges) {
    const [from, to] = forward ? [e.source, e.target] : [e.target, e.source];
    const list = next.get(from);
    if (list) list.push(to);
    else next.set(from, [to]);
  }
  return next;
}

/** Would adding `source → target` close a cycle? (Is `source` reachable from `target`?) */
export function wouldCreateCycle(edges: readonly Edge[], source: string, target: string): boolean {
  return source === target || reach(adjacency(edges, true), target).has(source);
}

/** Every node upstream of `nodeId`, nearest first (breadth-first over in-edges). */
export function ancestorsOf(edges: readonly Edge[], nodeId: string): string[] {
  const into = adjacency(edges, false);
  const order: string[] = [];
  const seen = new Set<string>([nodeId]);
  const queue = [...(into.get(nodeId) ?? [])];
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i];
    if (seen.has(id)) continue;
    seen.add(id);
    order.push(id);
    for (const p of into.get(id) ?? []) if (!seen.has(p)) queue.push(p);
  }
  return order;
}
