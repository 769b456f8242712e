/**
 * What a run's scorecard holds (issue 13), as it crosses the wire: computed from the run's
 * events by `scorecard()` in src/shared/scorecard.ts.
 */
import { z } from 'zod';
import { Artifact, NodeError, NodeStatus, RunStatus, Usage } from './run';

export const ScorecardNode = z.object({
  nodeId: z.string(),
  label: z.string().optional(),
  kind: z.string(),
  tool: z.string().optional(),
  status: NodeStatus,
  /** First `running` of the node's latest generation (or when a cached output was reused). */
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  /** finishedAt − startedAt: the node's elapsed time, retries, backoffs and approval waits included. */
  latencyMs: z.number(),
  /** Time spent in `running` (tool work only), summed over every attempt of the run. */
  busyMs: z.number(),
  attempts: z.number().int(),
  retries: z.number().int(),
  cached: z.boolean(),
  usage: Usage,
  /** Topological depth, 1-based: the stage the node belongs to. */
  stage: z.number().int(),
});
export type ScorecardNode = z.infer<typeof ScorecardNode>;

export const Scorecard = z.object({
  runId: z.string(),
  workflowId: z.string(),
  workflowName: z.string().optional(),
  status: RunStatus,
  /** The first node that failed terminally, with the stage (topological depth) it sits in. */
  failure: z
    .object({ nodeId: z.string(), label: z.string().optional(), stage: z.number().int(), error: NodeError.optional() })
    .optional(),
  /** Why the run failed when no node did (a resume failure, an engine error). */
  error: z.string().optional(),
  startedAt: z.number().optional(),
  finishedAt: z.number().optional(),
  /** From the first `run.started` to the last `run.finished`; up to the last event while unfinished. */
  wallMs: z.number(),
  /** The chain of dependent nodes with the largest summed latency: what bounded the wall time. */
  criticalPath: z.object({ nodeIds: z.array(z.string()), ms: z.number() }),
  /** Summed over every approval request of the run. */
  approvalWaitMs: z.number(),
  approvals: z.array(
    z.object({ nodeId: z.string(), requestedAt: z.number(), resolvedAt: z.number().optional(), waitMs: z.number(), approved: z.boolean().optional() }),
  ),
  nodes: z.array(ScorecardNode),
  retries: z.number().int(),
  /** Retries by error code (the class when the error has no code). */
  retriesByCode: z.record(z.string(), z.number().int()),
  deadLetters: z.array(z.string()),
  usage: Usage,
  byModel: z.array(z.object({ model: z.string(), promptTokens: z.number(), completionTokens: z.number(), costUsd: z.number() })),
  cacheHits: z.number().int(),
  /** Each with `url`: where `awe serve` downloads it (relative to the server). */
  artifacts: z.array(Artifact.extend({ url: z.string() })),
});
export type Scorecard = z.infer<typeof Scorecard>;

/** Where `awe serve` downloads an artifact (the REST route of issue 4). */
export const artifactUrl = (id: string): string => `/api/artifacts/${encodeURIComponent(id)}/download`;
