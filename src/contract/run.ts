/**
 * Runs and node runs: states and records. DESIGN.md §4.
 */
import { z } from 'zod';
import { Workflow } from './workflow';

/**
 * node: pending → queued → running → succeeded | failed | skipped | cancelled
 *       running → retrying → running          (transient error, attempts left)
 *       running → waiting → running           (approval requested, then given)
 *       running → interrupted → queued        (the process died mid-run; resumed)
 *       succeeded → stale → queued            (an upstream node was rerun)
 */
export const NodeStatus = z.enum([
  'pending',
  'queued',
  'running',
  'retrying',
  'waiting',
  'succeeded',
  'failed',
  'skipped',
  'cancelled',
  'stale',
  'interrupted',
]);
export type NodeStatus = z.infer<typeof NodeStatus>;

export const TERMINAL_NODE_STATUSES: readonly NodeStatus[] = ['succeeded', 'failed', 'skipped', 'cancelled'];

export const RunStatus = z.enum(['running', 'waiting', 'succeeded', 'failed', 'cancelled', 'interrupted']);
export type RunStatus = z.infer<typeof RunStatus>;

export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled'];

export const ErrorClass = z.enum([
  /** Worth retrying: timeout, 429, 5xx, connection reset, MCP transport loss. */
  'transient',
  /** Retrying will not help: schema violation, 4xx, policy denial, bad input. */
  'permanent',
  /** The run or node was cancelled. */
  'cancelled',
]);
export type ErrorClass = z.infer<typeof ErrorClass>;

export const NodeError = z.object({
  class: ErrorClass,
  /** Stable machine-readable code: `TIMEOUT`, `HTTP_429`, `SCHEMA_INPUT`, `POLICY`, … */
  code: z.string().optional(),
  message: z.string(),
});
export type NodeError = z.infer<typeof NodeError>;

export const Usage = z.object({
  promptTokens: z.number().int().min(0).default(0),
  completionTokens: z.number().int().min(0).default(0),
  costUsd: z.number().min(0).default(0),
});
export type Usage = z.infer<typeof Usage>;

export const RerunMode = z.enum([
  /** Only this node; downstream keeps its outputs. */
  'only',
  /** This node and everything that depends on it. */
  'downstream',
]);
export type RerunMode = z.infer<typeof RerunMode>;

/** Why a node ran, or why it did not need to. */
export const RunReason = z.enum(['first', 'retry', 'rerun', 'resume', 'rework', 'cache']);
export type RunReason = z.infer<typeof RunReason>;

/** Where an imported run came from (a bundle `runs.export` made on another AWE). */
export const ImportedFrom = z.object({
  /** The run's id where it was executed (the local id differs when that one was taken here). */
  originalRunId: z.string(),
  /** The bundle's file name, as chosen by the person importing it. */
  fileName: z.string().optional(),
  /** The machine whose AWE exported it, and when. */
  host: z.string().optional(),
  exportedAt: z.number().optional(),
  importedAt: z.number(),
});
export type ImportedFrom = z.infer<typeof ImportedFrom>;

export const Run = z.object({
  id: z.string(),
  workflowId: z.string(),
  workflowName: z.string().optional(),
  /** The exact graph this run executes (edits to the workflow do not change it). */
  snapshot: Workflow,
  status: RunStatus,
  inputs: z.record(z.string(), z.unknown()),
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  /** Set on a run imported from a bundle: it is read-only here. */
  importedFrom: ImportedFrom.optional(),
});
export type Run = z.infer<typeof Run>;

/** One execution of one node (every attempt, every generation). */
export const NodeRun = z.object({
  runId: z.string(),
  nodeId: z.string(),
  /** Bumped by each rerun of the node. */
  generation: z.number().int().min(0),
  /** 1-based attempt within the generation. */
  attempt: z.number().int().min(1),
  status: NodeStatus,
  reason: RunReason.optional(),
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  error: NodeError.nullable().optional(),
  cached: z.boolean().optional(),
  startedAt: z.number().nullable(),
  finishedAt: z.number().nullable(),
  usage: Usage.optional(),
});
export type NodeRun = z.infer<typeof NodeRun>;

export const RunSummary = z.object({
  runId: z.string(),
  workflowId: z.string(),
  workflowName: z.string().optional(),
  status: RunStatus,
  startedAt: z.number(),
  finishedAt: z.number().nullable(),
  /** What the run spent (USD, from the prices in Settings) and its retries, for the run history (issue 13). */
  costUsd: z.number().optional(),
  tokens: z.number().optional(),
  retries: z.number().int().optional(),
  importedFrom: ImportedFrom.optional(),
});
export type RunSummary = z.infer<typeof RunSummary>;

export const Artifact = z.object({
  id: z.string(),
  runId: z.string(),
  nodeId: z.string(),
  name: z.string(),
  mime: z.string(),
  size: z.number().int().min(0),
  sha256: z.string(),
  createdAt: z.number(),
});
export type Artifact = z.infer<typeof Artifact>;
