/**
 * EngineEvent: every change of a run, in order. Persisted in the run's event log,
 * delivered to subscribers (IPC, WebSocket, CLI), and folded into the run's visible
 * state by `foldRun` (fold.ts) — the same function in engine and renderer.
 */
import { z } from 'zod';
import { Artifact, NodeError, NodeStatus, RerunMode, RunReason, RunStatus, Usage } from './run';
import { WorkflowNode } from './workflow';

const base = {
  runId: z.string(),
  /** Run-scoped sequence number, 1-based, gap-free. */
  seq: z.number().int().min(1),
  /** Milliseconds since the epoch. */
  ts: z.number(),
};

export const EngineEvent = z.discriminatedUnion('type', [
  /** A run began executing its snapshot. */
  z.object({
    ...base,
    type: z.literal('run.started'),
    workflowId: z.string(),
    inputs: z.record(z.string(), z.unknown()),
    nodeIds: z.array(z.string()),
  }),
  /** The run's status changed without finishing (waiting for approval, resumed, interrupted). */
  z.object({ ...base, type: z.literal('run.status'), status: RunStatus, reason: z.string().optional() }),
  /** A node changed state. `input` comes with `running`; `error` with `retrying`/`failed`. */
  z.object({
    ...base,
    type: z.literal('node.status'),
    nodeId: z.string(),
    status: NodeStatus,
    generation: z.number().int().min(0),
    attempt: z.number().int().min(0),
    reason: RunReason.optional(),
    input: z.unknown().optional(),
    error: NodeError.optional(),
    /** Why a node was skipped, stale or cancelled, in words. */
    detail: z.string().optional(),
  }),
  /** A node produced its output (`cached`: reused from an earlier run). */
  z.object({
    ...base,
    type: z.literal('node.output'),
    nodeId: z.string(),
    generation: z.number().int().min(0),
    output: z.unknown(),
    cached: z.boolean().default(false),
    truncated: z.boolean().optional(),
  }),
  /** A line from a tool or the engine about a node. */
  z.object({
    ...base,
    type: z.literal('node.log'),
    nodeId: z.string(),
    level: z.enum(['debug', 'info', 'warn', 'error']),
    message: z.string(),
    data: z.unknown().optional(),
  }),
  /** A transient failure will be retried after `delayMs`. */
  z.object({
    ...base,
    type: z.literal('node.retry'),
    nodeId: z.string(),
    attempt: z.number().int().min(1),
    delayMs: z.number().min(0),
    error: NodeError,
  }),
  /** Tokens and cost spent by a node (added to what it spent before). */
  z.object({ ...base, type: z.literal('node.usage'), nodeId: z.string(), usage: Usage, model: z.string().optional() }),
  /** A rerun was requested: `nodes` become stale and run again. */
  z.object({
    ...base,
    type: z.literal('node.rerun'),
    nodeId: z.string(),
    mode: RerunMode,
    nodes: z.array(z.string()),
    editedInputs: z.boolean().optional(),
    /** Edited input bindings for `nodeId`, kept for this and later generations (replay rebuilds them). */
    inputs: z.record(z.string(), z.unknown()).optional(),
  }),
  /**
   * A rerun replaced a node's definition (inputs, retry, timeout, …) with the one the
   * person edited; this and later executions use it. The run's snapshot plus these
   * events is its snapshot history (`revisedSnapshot`).
   */
  z.object({
    ...base,
    type: z.literal('node.definition'),
    nodeId: z.string(),
    node: WorkflowNode,
    /** What changed since the definition the run had: `inputs.name`, `retry`, … */
    changed: z.array(z.string()),
  }),
  /** The critic judged a node's output. */
  z.object({
    ...base,
    type: z.literal('node.verdict'),
    nodeId: z.string(),
    pass: z.boolean(),
    reasons: z.array(z.string()),
    rework: z.number().int().min(0),
    judge: z.enum(['rules', 'llm']),
  }),
  /** A node saved an artifact. */
  z.object({ ...base, type: z.literal('artifact.created'), nodeId: z.string(), artifact: Artifact }),
  /** A node waits for a person (approval node, or the policy gate before a risky tool). */
  z.object({
    ...base,
    type: z.literal('approval.requested'),
    nodeId: z.string(),
    tool: z.string().optional(),
    input: z.unknown().optional(),
    message: z.string(),
  }),
  z.object({
    ...base,
    type: z.literal('approval.resolved'),
    nodeId: z.string(),
    approved: z.boolean(),
    comment: z.string().optional(),
  }),
  /** The run reached a terminal state. */
  z.object({
    ...base,
    type: z.literal('run.finished'),
    status: RunStatus,
    error: z.string().optional(),
  }),
]);
export type EngineEvent = z.infer<typeof EngineEvent>;
export type EngineEventType = EngineEvent['type'];
export type EventOf<T extends EngineEventType> = Extract<EngineEvent, { type: T }>;

/** What an emitter supplies; the engine adds runId, seq and ts. */
export type EngineEventBody = EngineEvent extends infer E
  ? E extends EngineEvent
    ? Omit<E, 'runId' | 'seq' | 'ts'>
    : never
  : never;
