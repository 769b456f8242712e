/**
 * Which nodes of a run can be decided now: per-node counters of unresolved in-edges
 * (O(nodes + edges) over the whole run, never a rescan), and the rule that decides a
 * node once all its in-edges are resolved:
 * - an in-edge from a failed node (or from a node skipped because of one) skips it,
 *   naming the failed ancestor, so a failure's descendants are skipped transitively;
 * - otherwise it runs if at least one in-edge is live (a node joining a taken and a
 *   not-taken branch still runs), and is skipped if every in-edge is dead.
 */
import type { Edge } from '../../contract';
import type { Graph } from '../../shared/graph';

export type EdgeState = { live: true } | { live: false; detail: string; failedRoot?: string };

export type Decision = { run: true } | { run: false; detail: string; failedRoot?: string };

/** The common answers, shared (read only): one object per edge and per node was garbage. */
export const LIVE: EdgeState = Object.freeze({ live: true });
const RUN: Decision = Object.freeze({ run: true });

/** A member's in-edges: how many are still unresolved, and how many resolved live. */
interface InEdges {
  remaining: number;
  live: number;
}

export class Frontier {
  /** Members only: an edge into any other node resolves nothing. */
  private readonly inEdges = new Map<string, InEdges>();
  private readonly firstDead = new Map<string, string>();
  private readonly failedRoot = new Map<string, string>();

  /**
   * @param members the nodes to schedule; edges from other nodes are resolved at once
   *   with `stateOf` (those nodes are terminal and keep their results).
   */
  constructor(
    private readonly graph: Graph,
    readonly members: ReadonlySet<string>,
  ) {}

  /** Counts in-edges and returns the members that can be decided right away. */
  init(stateOf: (edge: Edge) => EdgeState): string[] {
    const decidable: string[] = [];
    for (const id of this.members) {
      const counts: InEdges = { remaining: 0, live: 0 };
      this.inEdges.set(id, counts);
      for (const edge of this.graph.inEdges.get(id)!) {
        if (this.members.has(edge.source)) counts.remaining++;
        else this.note(edge.target, counts, stateOf(edge));
      }
      if (counts.remaining === 0) decidable.push(id);
    }
    return decidable;
  }

  /** Records that `edge`'s source finished; returns the target when it can now be decided. */
  resolve(edge: Edge, state: EdgeState): string | undefined {
    const counts = this.inEdges.get(edge.target);
    if (!counts) return undefined;
    this.note(edge.target, counts, state);
    return --counts.remaining === 0 ? edge.target : undefined;
  }

  decide(id: string): Decision {
    const root = this.failedRoot.get(id);
    if (root !== undefined) return { run: false, detail: `upstream node "${root}" failed`, failedRoot: root };
    if ((this.inEdges.get(id)?.live ?? 0) > 0 || this.graph.inEdges.get(id)!.length === 0) return RUN;
    return { run: false, detail: this.firstDead.get(id) ?? 'no upstream branch was taken' };
  }

  private note(target: string, counts: InEdges, state: EdgeState): void {
    if (state.live) {
      counts.live++;
    } else if (state.failedRoot !== undefined) {
      if (!this.failedRoot.has(target)) this.failedRoot.set(target, state.failedRoot);
    } else if (!this.firstDead.has(target)) {
      this.firstDead.set(target, state.detail);
    }
  }
}
