/**
 * A run's visible state is a fold over its events. The engine, the CLI and the
 * renderer all use this one function, so history, replay and time travel (fold up to
 * seq k) agree everywhere.
 */
import type { EngineEvent } from './events';
import type { Artifact, NodeError, NodeStatus, RunReason, RunStatus, Usage } from './run';
import type { WorkflowNode } from './workflow';

export interface NodeView {
  status: NodeStatus;
  generation: number;
  /** Executions of this node in the run, across retries, reruns and rework. */
  attempts: number;
  reason?: RunReason;
  input?: unknown;
  output?: unknown;
  cached: boolean;
  truncated?: boolean;
  error?: NodeError;
  detail?: string;
  startedAt?: number;
  finishedAt?: number;
  usage: Usage;
  retries: number;
  logs: { ts: number; level: string; message: string }[];
  verdict?: { pass: boolean; reasons: string[]; rework: number; judge: string };
  approval?: { message: string; tool?: string; input?: unknown };
}

export interface RunView {
  runId: string;
  workflowId: string;
  status: RunStatus;
  inputs: Record<string, unknown>;
  startedAt?: number;
  finishedAt?: number;
  error?: string;
  nodes: Record<string, NodeView>;
  /** Nodes that failed terminally, in the order they failed. */
  deadLetters: string[];
  artifacts: Artifact[];
  usage: Usage;
  retries: number;
  lastSeq: number;
  /**
   * Definitions reruns gave nodes (the person's edits), oldest first, by node id; the
   * latest is what the node runs with now. Empty for a run nobody edited.
   */
  definitions: Record<string, WorkflowNode[]>;
  /**
   * Only on a view handed to a caller waiting in a process whose lease on the run moved to
   * another owner (this one stalled past it): the run goes on there, and the view is the run
   * as this process last saw it, not its end.
   */
  ownerChanged?: { code: 'OWNER_CHANGED'; message: string };
}

/** Keep only this many log lines per node in views (the event log keeps them all). */
const MAX_LOGS_PER_NODE = 200;

export function emptyNodeView(): NodeView {
  return {
    status: 'pending',
    generation: 0,
    attempts: 0,
    cached: false,
    usage: { promptTokens: 0, completionTokens: 0, costUsd: 0 },
    retries: 0,
    logs: [],
  };
}

export function emptyRunView(runId: string, workflowId = '', nodeIds: string[] = []): RunView {
  // Null prototype: node ids are the author's text, and `__proto__` or `constructor`
  // must be ordinary keys here, not the object's prototype or Object itself.
  const nodes: Record<string, NodeView> = Object.create(null) as Record<string, NodeView>;
  for (const id of nodeIds) nodes[id] = emptyNodeView();
  return {
    runId,
    workflowId,
    status: 'running',
    inputs: {},
    nodes,
    deadLetters: [],
    artifacts: [],
    usage: { promptTokens: 0, completionTokens: 0, costUsd: 0 },
    retries: 0,
    lastSeq: 0,
    definitions: {},
  };
}

/**
 * Applies one event to a view, in place, and returns the node id it touched (if any).
 * In-place keeps folding 10,000-node runs cheap; callers that need immutability
 * (React stores) copy the touched node themselves.
 */
export function applyEvent(view: RunView, e: EngineEvent): string | undefined {
  if (e.seq <= view.lastSeq) return undefined; // already applied (replays after reconnect)
  view.lastSeq = e.seq;
  switch (e.type) {
    case 'run.started': {
      view.workflowId = e.workflowId;
      view.inputs = e.inputs;
      view.startedAt = e.ts;
      view.status = 'running';
      for (const id of e.nodeIds) nodeOf(view, id);
      return undefined;
    }
    case 'run.status':
      view.status = e.status;
      if (e.status === 'running') view.finishedAt = undefined;
      return undefined;
    case 'run.finished':
      view.status = e.status;
      view.finishedAt = e.ts;
      view.error = e.error;
      return undefined;
    case 'node.status': {
      const n = nodeOf(view, e.nodeId);
      const wasDead = n.status === 'failed';
      const wasWaiting = n.status === 'waiting';
      n.status = e.status;
      n.generation = e.generation;
      if (e.reason) n.reason = e.reason;
      n.detail = e.detail;
      if (e.status === 'running') {
        // Coming back from an approval wait continues the same execution.
        if (!wasWaiting) n.attempts += 1;
        n.approval = undefined;
        n.startedAt = e.ts;
        n.finishedAt = undefined;
        n.error = undefined;
        if (e.input !== undefined) n.input = e.input;
      } else if (e.status === 'queued' || e.status === 'stale' || e.status === 'pending') {
        n.error = undefined;
        n.finishedAt = undefined;
      } else if (e.status === 'succeeded' || e.status === 'failed' || e.status === 'skipped' || e.status === 'cancelled') {
        n.finishedAt = e.ts;
      }
      if (e.error) n.error = e.error;
      if (e.status === 'failed' && !wasDead) view.deadLetters.push(e.nodeId);
      if (e.status !== 'failed' && wasDead) view.deadLetters = view.deadLetters.filter((id) => id !== e.nodeId);
      return e.nodeId;
    }
    case 'node.output': {
      const n = nodeOf(view, e.nodeId);
      n.output = e.output;
      n.cached = e.cached;
      n.truncated = e.truncated;
      if (e.cached) n.reason = 'cache';
      return e.nodeId;
    }
    case 'node.log': {
      const n = nodeOf(view, e.nodeId);
      n.logs.push({ ts: e.ts, level: e.level, message: e.message });
      if (n.logs.length > MAX_LOGS_PER_NODE) n.logs.splice(0, n.logs.length - MAX_LOGS_PER_NODE);
      return e.nodeId;
    }
    case 'node.retry': {
      const n = nodeOf(view, e.nodeId);
      n.retries += 1;
      n.error = e.error;
      view.retries += 1;
      return e.nodeId;
    }
    case 'node.usage': {
      const n = nodeOf(view, e.nodeId);
      addUsage(n.usage, e.usage);
      addUsage(view.usage, e.usage);
      return e.nodeId;
    }
    case 'node.rerun': {
      for (const id of e.nodes) {
        const n = nodeOf(view, id);
        n.cached = false;
      }
      view.status = 'running';
      view.finishedAt = undefined;
      view.error = undefined;
      return e.nodeId;
    }
    case 'node.definition': {
      // A new object: stores that copy the view shell per batch must not share this one (edits are rare).
      view.definitions = { ...view.definitions, [e.nodeId]: [...(view.definitions[e.nodeId] ?? []), e.node] };
      return e.nodeId;
    }
    case 'node.verdict': {
      const n = nodeOf(view, e.nodeId);
      n.verdict = { pass: e.pass, reasons: e.reasons, rework: e.rework, judge: e.judge };
      return e.nodeId;
    }
    case 'artifact.created':
      // A resumed run may announce an artifact again (exactly-once saves): one entry per id.
      if (!view.artifacts.some((a) => a.id === e.artifact.id)) view.artifacts.push(e.artifact);
      return e.nodeId;
    case 'approval.requested': {
      const n = nodeOf(view, e.nodeId);
      n.approval = { message: e.message, tool: e.tool, input: e.input };
      return e.nodeId;
    }
    case 'approval.resolved': {
      const n = nodeOf(view, e.nodeId);
      n.logs.push({ ts: e.ts, level: 'info', message: e.approved ? 'approved' : `rejected${e.comment ? `: ${e.comment}` : ''}` });
      return e.nodeId;
    }
  }
}

/** Folds events (sorted by seq) into a view; `uptoSeq` stops early for time travel. */
export function foldRun(runId: string, events: readonly EngineEvent[], uptoSeq = Infinity, nodeIds: string[] = []): RunView {
  const view = emptyRunView(runId, '', nodeIds);
  for (const e of events) {
    if (e.seq > uptoSeq) break;
    applyEvent(view, e);
  }
  return view;
}

/** A copy of a view's nodes that keeps ids like `__proto__` and `constructor` as plain keys. */
export function copyNodeViews(nodes: Record<string, NodeView>): Record<string, NodeView> {
  const copy = Object.create(null) as Record<string, NodeView>;
  for (const id of Object.keys(nodes)) copy[id] = nodes[id];
  return copy;
}

function nodeOf(view: RunView, id: string): NodeView {
  // Own properties only: on an ordinary object `constructor` would find Object, and
  // assigning `__proto__` would replace the prototype instead of adding a node.
  if (Object.hasOwn(view.nodes, id)) return view.nodes[id];
  const n = emptyNodeView();
  Object.defineProperty(view.nodes, id, { value: n, enumerable: true, writable: true, configurable: true });
  return n;
}

function addUsage(into: Usage, u: Usage): void {
  into.promptTokens += u.promptTokens ?? 0;
  into.completionTokens += u.completionTokens ?? 0;
  into.costUsd += u.costUsd ?? 0;
}
