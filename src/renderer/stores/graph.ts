/**
 * The workflow document being edited, with undo/redo over every edit.
 *
 * Edits replace only the node/edge objects they change (structural sharing), so history
 * snapshots are cheap and React Flow re-renders only what changed.
 */
import { createStore } from 'zustand/vanilla';
import type { Edge, Position, Problem, Workflow, WorkflowNode } from '../../contract';
import { wouldCreateCycle } from '../../shared/graph';
import { renameReferences } from '../../shared/templates';
import { freshId, type ClipboardPayload } from '../lib/graph-utils';

/** Undo steps kept. */
const HISTORY_LIMIT = 200;

export interface GraphState {
  workflow: Workflow;
  past: Workflow[];
  future: Workflow[];
  /** The document as last saved or opened; `dirty` compares against it. */
  saved: Workflow;
  dirty: boolean;
  /** Problems from the engine's validator for the current document. */
  problems: Problem[];
  /** Set while a drag gesture is open, so the whole drag is one undo step. */
  dragStart: Workflow | null;
}

export type ConnectResult = { ok: true; edgeId: string } | { ok: false; message: string };

export interface GraphActions {
  /** Open a document. `undoable` keeps the current one reachable with Undo. */
  load(workflow: Workflow, opts?: { undoable?: boolean; dirty?: boolean }): void;
  markSaved(workflow: Workflow): void;
  rename(name: string): void;
  setGoal(goal: string): void;
  addNode(node: Omit<WorkflowNode, 'id'> & { id?: string }): string;
  updateNode(id: string, patch: Partial<Omit<WorkflowNode, 'id'>>): void;
  setInput(id: string, key: string, value: unknown): void;
  /** An edit touching several parts of the document (a node and its run-input declaration) as one undo step. */
  editDocument(fn: (wf: Workflow) => Workflow): void;
  /** `transient` moves (during a drag) are folded into the drag's one undo step. */
  moveNodes(positions: Record<string, Position>, opts?: { transient?: boolean }): void;
  beginDrag(): void;
  endDrag(): void;
  /** Set all positions at once (auto-layout) as one undo step. */
  applyLayout(positions: Record<string, Position>): void;
  connect(source: string, target: string, branch?: 'true' | 'false'): ConnectResult;
  removeElements(nodeIds: readonly string[], edgeIds: readonly string[]): void;
  /** Pastes a copied selection with fresh ids, offset from the originals; returns the new ids. */
  paste(payload: ClipboardPayload, offset?: Position): string[];
  setProblems(problems: Problem[]): void;
  undo(): void;
  redo(): void;
}

export type GraphStore = ReturnType<typeof createGraphStore>;

/**
 * A workflow id no saved workflow has: `base` (made id-safe, cut short) plus time and
 * randomness. New, Save as, Duplicate and a fresh plan all take one, so saving never
 * overwrites a workflow the person did not open.
 */
export function freshWorkflowId(base = 'wf'): string {
  const slug = base.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^[^A-Za-z_]+/, '').replace(/-+$/, '').slice(0, 80) || 'wf';
  return `${slug}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
}

export function emptyWorkflow(): Workflow {
  return { id: freshWorkflowId('wf'), name: 'Untitled workflow', version: 1, nodes: [], edges: [], settings: {} };
}

export function createGraphStore(initial: Workflow = emptyWorkflow()) {
  return createStore<GraphState & GraphActions>()((set, get) => {
    /** Applies one edit as one undo step. */
    const edit = (fn: (wf: Workflow) => Workflow) => {
      const s = get();
      const next = fn(s.workflow);
      if (next === s.workflow) return;
      set({
        workflow: next,
        past: [...s.past.slice(-(HISTORY_LIMIT - 1)), s.workflow],
        future: [],
        dirty: next !== s.saved,
      });
    };
    const mapNodes = (wf: Workflow, ids: ReadonlySet<string>, fn: (n: WorkflowNode) => WorkflowNode): Workflow => ({
      ...wf,
      nodes: wf.nodes.map((n) => (ids.has(n.id) ? fn(n) : n)),
    });

    return {
      workflow: initial,
      past: [],
      future: [],
      saved: initial,
      dirty: false,
      problems: [],
      dragStart: null,

      load(workflow, opts) {
        const s = get();
        set({
          workflow,
          saved: opts?.dirty ? s.saved : workflow,
          dirty: !!opts?.dirty,
          past: opts?.undoable ? [...s.past.slice(-(HISTORY_LIMIT - 1)), s.workflow] : [],
          future: [],
          problems: [],
          dragStart: null,
        });
      },
      markSaved(workflow) {
        // The store bumps the version; keep the document's identity so history stays coherent.
        const s = get();
        const merged = { ...s.workflow, version: workflow.version, id: workflow.id };
        set({ workflow: merged, saved: merged, dirty: false });
      },
      rename(name) {
        edit((wf) => (wf.name === name ? wf : { ...wf, name }));
      },
      setGoal(goal) {
        edit((wf) => (wf.goal === goal ? wf : { ...wf, goal }));
      },
      addNode(node) {
        const taken = new Set(get().workflow.nodes.map((n) => n.id));
        const id = node.id && !taken.has(node.id) ? node.id : freshId(node.id ?? node.tool?.split('.').pop() ?? node.kind, taken);
        edit((wf) => ({ ...wf, nodes: [...wf.nodes, { ...node, inputs: node.inputs ?? {}, id } as WorkflowNode] }));
        return id;
      },
      updateNode(id, patch) {
        edit((wf) => mapNodes(wf, new Set([id]), (n) => ({ ...n, ...patch })));
      },
      setInput(id, key, value) {
        edit((wf) =>
          mapNodes(wf, new Set([id]), (n) => {
            const inputs = { ...n.inputs };
            if (value === undefined) delete inputs[key];
            else inputs[key] = value;
            return { ...n, inputs };
          }),
        );
      },
      editDocument(fn) {
        edit(fn);
      },
      moveNodes(positions, opts) {
        const ids = new Set(Object.keys(positions));
        if (!ids.size) return;
        const move = (wf: Workflow) => mapNodes(wf, ids, (n) => ({ ...n, position: positions[n.id] }));
        if (opts?.transient) {
          const s = get();
          const next = move(s.workflow);
          set({ workflow: next, dirty: next !== s.saved });
        } else edit(move);
      },
      beginDrag() {
        set({ dragStart: get().workflow });
      },
      endDrag() {
        const s = get();
        if (!s.dragStart) return;
        if (s.dragStart !== s.workflow) {
          set({ past: [...s.past.slice(-(HISTORY_LIMIT - 1)), s.dragStart], future: [], dragStart: null });
        } else set({ dragStart: null });
      },
      applyLayout(positions) {
        get().moveNodes(positions);
      },
      connect(source, target, branch) {
        const wf = get().workflow;
        const ids = new Set(wf.nodes.map((n) => n.id));
        if (!ids.has(source) || !ids.has(target)) return { ok: false, message: 'Both ends of a connection must be nodes of this workflow.' };
        if (source === target) return { ok: false, message: 'A node cannot depend on itself.' };
        if (wf.edges.some((e) => e.source === source && e.target === target && e.branch === branch)) {
          return { ok: false, message: `${source} is already connected to ${target}.` };
        }
        if (wouldCreateCycle(wf.edges, source, target)) {
          return { ok: false, message: `Connecting ${source} → ${target} would create a cycle: ${target} already leads to ${source}.` };
        }
        const edgeId = freshId(`e_${source}_${target}`, new Set(wf.edges.map((e) => e.id)));
        const edge: Edge = branch ? { id: edgeId, source, target, branch } : { id: edgeId, source, target };
        edit((w) => ({ ...w, edges: [...w.edges, edge] }));
        return { ok: true, edgeId };
      },
      removeElements(nodeIds, edgeIds) {
        const nodes = new Set(nodeIds);
        const edges = new Set(edgeIds);
        if (!nodes.size && !edges.size) return;
        edit((wf) => ({
          ...wf,
          nodes: nodes.size ? wf.nodes.filter((n) => !nodes.has(n.id)) : wf.nodes,
          edges: wf.edges.filter((e) => !edges.has(e.id) && !nodes.has(e.source) && !nodes.has(e.target)),
        }));
      },
      paste(payload, offset = { x: 40, y: 40 }) {
        const wf = get().workflow;
        const takenNodes = new Set(wf.nodes.map((n) => n.id));
        const rename = new Map<string, string>();
        for (const n of payload.nodes) {
          const id = freshId(n.id, takenNodes);
          takenNodes.add(id);
          rename.set(n.id, id);
        }
        const nodes = payload.nodes.map((n) => ({
          ...n,
          id: rename.get(n.id)!,
          inputs: renameReferences(n.inputs, rename) as WorkflowNode['inputs'],
          position: n.position ? { x: n.position.x + offset.x, y: n.position.y + offset.y } : undefined,
        }));
        const takenEdges = new Set(wf.edges.map((e) => e.id));
        const edges = payload.edges
          .filter((e) => rename.has(e.source) && rename.has(e.target))
          .map((e) => {
            const id = freshId(e.id, takenEdges);
            takenEdges.add(id);
            return { ...e, id, source: rename.get(e.source)!, target: rename.get(e.target)! };
          });
        if (!nodes.length) return [];
        edit((w) => ({ ...w, nodes: [...w.nodes, ...nodes], edges: [...w.edges, ...edges] }));
        return nodes.map((n) => n.id);
      },
      setProblems(problems) {
        // Validation runs after every edit and move; an unchanged answer keeps the old list, so nothing re-renders for it.
        const cur = get().problems;
        if (cur === problems || (cur.length === problems.length && JSON.stringify(cur) === JSON.stringify(problems))) return;
        set({ problems });
      },
      undo() {
        const s = get();
        const prev = s.past[s.past.length - 1];
        if (!prev) return;
        set({ workflow: prev, past: s.past.slice(0, -1), future: [s.workflow, ...s.future], dirty: prev !== s.saved });
      },
      redo() {
        const s = get();
        const next = s.future[0];
        if (!next) return;
        set({ workflow: next, past: [...s.past, s.workflow], future: s.future.slice(1), dirty: next !== s.saved });
      },
    };
  });
}

const countsByProblems = new WeakMap<readonly Problem[], Map<string, number>>();

/**
 * Problems per node id, counted once per problem list (each node on the canvas asks for
 * its own count on every graph change; counting per node would be O(nodes × problems)).
 */
export function problemCountOf(problems: readonly Problem[], nodeId: string): number {
  if (!problems.length) return 0;
  let counts = countsByProblems.get(problems);
  if (!counts) {
    counts = new Map();
    for (const p of problems) if (p.nodeId) counts.set(p.nodeId, (counts.get(p.nodeId) ?? 0) + 1);
    countsByProblems.set(problems, counts);
  }
  return counts.get(nodeId) ?? 0;
}
