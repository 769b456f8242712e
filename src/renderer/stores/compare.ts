/**
 * Comparing two runs node by node: each node's final status, executions, duration and
 * whether its output (or input) differs. Both runs are folded from their own events with
 * the contract's `foldRun`, so the comparison shows exactly what each run's canvas shows.
 */
import { changedFields, foldRun, revisedSnapshot, stableJson, type EngineEvent, type NodeStatus, type NodeView, type RunStatus, type RunView, type Workflow } from '../../contract';

/** What `runs.get` returns that a comparison needs. */
export interface RunRecord {
  runId: string;
  snapshot: Workflow;
  events: readonly EngineEvent[];
}

export interface NodeSide {
  status: NodeStatus;
  /** Executions in the run (retries, reruns and rework included). */
  attempts: number;
  /** Time of the node's latest execution; undefined when it never finished. */
  durationMs?: number;
  cached: boolean;
  output?: unknown;
  input?: unknown;
  error?: string;
}

export interface NodeComparison {
  nodeId: string;
  label: string;
  tool?: string;
  /** Missing when the node is not in that run's graph. */
  a?: NodeSide;
  b?: NodeSide;
  statusDiffers: boolean;
  outputDiffers: boolean;
  inputDiffers: boolean;
  /** The node's definition (tool, inputs, settings) differs between the two runs' graphs (as their reruns left them). */
  definitionChanged: boolean;
  /** A rerun in either run replaced the node's definition with an edited one (`node.definition`). */
  editedInRerun: boolean;
  /** The fields whose definition differs, with run A's and run B's value (`inputs.name`, `retry`, …). */
  definitionChanges: FieldChange[];
  /** What each run's reruns changed in the node, from its snapshot to the definition it ran last. */
  rerunEdits: { a: FieldChange[]; b: FieldChange[] };
  /** Anything a person would want to look at: status, output, input, definition or presence. */
  differs: boolean;
}

/** One field of a node's definition, before and after. */
export interface FieldChange {
  field: string;
  a: unknown;
  b: unknown;
}

export interface RunTotals {
  runId: string;
  status: RunStatus;
  startedAt?: number;
  durationMs?: number;
  nodes: number;
  succeeded: number;
  failed: number;
  retries: number;
  tokens: number;
  costUsd: number;
}

export interface RunComparison {
  a: RunTotals;
  b: RunTotals;
  /** Both runs executed the same workflow id (nodes are matched by id either way). */
  sameWorkflow: boolean;
  nodes: NodeComparison[];
  /** How many nodes differ. */
  differing: number;
}

/**
 * Outputs as their content: an artifact (anything carrying a `sha256`) is the same artifact
 * when its bytes are, whatever id the store gave each copy.
 */
function byContent(v: unknown, depth = 0): unknown {
  if (!v || typeof v !== 'object' || depth > 32) return v;
  if (Array.isArray(v)) return v.map((x) => byContent(x, depth + 1));
  const o = v as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  const isArtifact = typeof o.sha256 === 'string';
  for (const [k, x] of Object.entries(o)) {
    if (isArtifact && (k === 'artifactId' || k === 'id' || k === 'createdAt' || k === 'runId')) continue;
    out[k] = byContent(x, depth + 1);
  }
  return out;
}

const same = (x: unknown, y: unknown) => stableJson(byContent(x)) === stableJson(byContent(y));

function side(n: NodeView | undefined): NodeSide | undefined {
  if (!n) return undefined;
  return {
    status: n.status,
    attempts: n.attempts,
    durationMs: n.startedAt !== undefined && n.finishedAt !== undefined ? n.finishedAt - n.startedAt : undefined,
    cached: n.cached,
    output: n.output,
    input: n.input,
    error: n.error?.message,
  };
}

function totals(runId: string, view: RunView): RunTotals {
  const nodes = Object.values(view.nodes);
  return {
    runId,
    status: view.status,
    startedAt: view.startedAt,
    durationMs: view.startedAt !== undefined && view.finishedAt !== undefined ? view.finishedAt - view.startedAt : undefined,
    nodes: nodes.length,
    succeeded: nodes.filter((n) => n.status === 'succeeded').length,
    failed: nodes.filter((n) => n.status === 'failed').length,
    retries: view.retries,
    tokens: view.usage.promptTokens + view.usage.completionTokens,
    costUsd: view.usage.costUsd,
  };
}

/** The parts of a node that decide what it does (its position on the canvas does not). */
function definition(n: Workflow['nodes'][number] | undefined): string {
  if (!n) return '';
  const { position: _position, label: _label, description: _description, ...rest } = n;
  return stableJson(rest);
}

type NodeDef = Workflow['nodes'][number];

function fieldValue(n: NodeDef, field: string): unknown {
  return field.startsWith('inputs.') ? n.inputs[field.slice('inputs.'.length)] : n[field as keyof NodeDef];
}

function fieldChanges(a: NodeDef | undefined, b: NodeDef | undefined): FieldChange[] {
  if (!a || !b) return [];
  return changedFields(a, b)
    .filter((field) => field !== 'label' && field !== 'description')
    .map((field) => ({ field, a: fieldValue(a, field), b: fieldValue(b, field) }));
}

function fold(r: RunRecord): RunView {
  const sorted = [...r.events].sort((x, y) => x.seq - y.seq);
  return foldRun(r.runId, sorted, Infinity, r.snapshot.nodes.map((n) => n.id));
}

export function compareRuns(a: RunRecord, b: RunRecord): RunComparison {
  const va = fold(a);
  const vb = fold(b);
  // Each run's graph as its reruns left it: the snapshot plus the definitions reruns used.
  const snapA = new Map(a.snapshot.nodes.map((n) => [n.id, n]));
  const snapB = new Map(b.snapshot.nodes.map((n) => [n.id, n]));
  const defsA = new Map(revisedSnapshot(a.snapshot, va.definitions).nodes.map((n) => [n.id, n]));
  const defsB = new Map(revisedSnapshot(b.snapshot, vb.definitions).nodes.map((n) => [n.id, n]));
  // Run A's order (the graph as authored), then nodes only run B has.
  const ids = [...a.snapshot.nodes.map((n) => n.id), ...b.snapshot.nodes.map((n) => n.id).filter((id) => !defsA.has(id))];
  const nodes = ids.map((nodeId): NodeComparison => {
    const sa = defsA.has(nodeId) ? side(va.nodes[nodeId]) : undefined;
    const sb = defsB.has(nodeId) ? side(vb.nodes[nodeId]) : undefined;
    const def = defsA.get(nodeId) ?? defsB.get(nodeId)!;
    const both = !!sa && !!sb;
    const statusDiffers = both ? sa.status !== sb.status : true;
    const outputDiffers = both ? !same(sa.output, sb.output) : true;
    const inputDiffers = both ? !same(sa.input, sb.input) : true;
    const definitionChanged = definition(defsA.get(nodeId)) !== definition(defsB.get(nodeId));
    return {
      nodeId,
      label: def.label ?? nodeId,
      tool: def.tool,
      a: sa,
      b: sb,
      statusDiffers,
      outputDiffers,
      inputDiffers,
      definitionChanged,
      editedInRerun: !!va.definitions[nodeId]?.length || !!vb.definitions[nodeId]?.length,
      definitionChanges: fieldChanges(defsA.get(nodeId), defsB.get(nodeId)),
      rerunEdits: {
        a: va.definitions[nodeId]?.length ? fieldChanges(snapA.get(nodeId), defsA.get(nodeId)) : [],
        b: vb.definitions[nodeId]?.length ? fieldChanges(snapB.get(nodeId), defsB.get(nodeId)) : [],
      },
      differs: statusDiffers || outputDiffers || inputDiffers || definitionChanged,
    };
  });
  return {
    a: totals(a.runId, va),
    b: totals(b.runId, vb),
    sameWorkflow: va.workflowId === vb.workflowId,
    nodes,
    differing: nodes.filter((n) => n.differs).length,
  };
}
