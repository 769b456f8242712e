/**
 * The workflow document (`*.awe.json`): what the planner produces, the canvas edits,
 * the validator checks and the scheduler runs. DESIGN.md §3.
 *
 * Imports nothing of ours; no Node APIs, no DOM.
 */
import { z } from 'zod';

/** Node and edge ids: safe inside templates (`{{nodes.<id>.output}}`) and file names. */
export const Id = z
  .string()
  .min(1, 'id is empty')
  .max(128, 'id is longer than 128 characters')
  .regex(/^[A-Za-z_][A-Za-z0-9_-]*$/, 'id must start with a letter or _ and use only letters, digits, _ and -');

export const NodeKind = z.enum([
  /** Calls a registered tool (`tool` names it). */
  'tool',
  /** One model call (`llm.generate`), optional JSON-schema output. */
  'llm',
  /** A model with tool calling over an allowed set of tools, bounded steps. */
  'agent',
  /**
   * Branches; out-edges carry `branch`. `inputs.test` (templates resolved) is compared by
   * `inputs.operator` with `inputs.value`, or without an operator judged by truthiness
   * where empty values (`""`, `[]`, `{}`, null) and `false`, `0` count as false.
   */
  'condition',
  /** Runs `tool` over each item of `inputs.items`, input `inputs.with`, bounded concurrency. */
  'map',
  /** A run input: `inputs.name` names it, `inputs.default` is used when it is missing. */
  'input',
  /** Collects its resolved inputs as the run's named output. */
  'output',
  /** Human in the loop: pauses until a person approves or rejects. */
  'approval',
]);
export type NodeKind = z.infer<typeof NodeKind>;

/**
 * How a condition compares `inputs.test` with `inputs.value` (`truthy`, `isEmpty` and
 * `isNotEmpty` look at the test alone). @default 'truthy'
 */
export const ConditionOperator = z.enum(['truthy', 'equals', 'notEquals', 'contains', 'isEmpty', 'isNotEmpty', 'greaterThan', 'lessThan']);
export type ConditionOperator = z.infer<typeof ConditionOperator>;

/**
 * A binding is any JSON value. Strings may hold templates:
 * `"Summarise {{nodes.fetch.output.text}} for {{input.audience}}"`.
 * A string that is exactly one reference keeps the referenced value's JSON type.
 */
export const Binding: z.ZodType<unknown> = z.unknown();
export type Binding = unknown;

export const RetryPolicyName = z.enum([
  /** Retry only errors classified transient (timeouts, 429, 5xx, connection loss). */
  'transient',
  /** Retry any error except cancellation. */
  'any',
  /** Never retry. */
  'none',
]);
export type RetryPolicyName = z.infer<typeof RetryPolicyName>;

export const RetrySpec = z.object({
  /** Retries after the first attempt. @default 0 */
  max: z.number().int().min(0).max(50).default(0),
  /** Which errors are retried. @default 'transient' */
  policy: RetryPolicyName.default('transient'),
  /** First backoff delay; doubles each retry, with full jitter. @default 200 */
  backoffMs: z.number().int().min(0).max(600_000).optional(),
  /** Cap for one backoff delay. @default 30000 */
  maxBackoffMs: z.number().int().min(0).max(3_600_000).optional(),
});
export type RetrySpec = z.infer<typeof RetrySpec>;

/**
 * What a node's output must satisfy to be accepted (the critic). Rule checks run
 * everywhere; `criteria` are judged by a model when one is configured.
 */
export const Acceptance = z.object({
  /** Plain-language criteria, e.g. "mentions at least three risks". */
  criteria: z.array(z.string()).optional(),
  /** Dotted paths in the output that must be present and non-empty. */
  requiredFields: z.array(z.string()).optional(),
  /** The output (or `field`) must not be empty. */
  nonEmpty: z.boolean().optional(),
  /** A regular expression the output text (or `field`) must match. */
  regex: z.string().optional(),
  /** Dotted path the `regex` / `nonEmpty` checks look at. @default the whole output */
  field: z.string().optional(),
  /** How many times a rejected output is reworked before the node fails. @default 1 */
  maxRework: z.number().int().min(0).max(10).optional(),
});
export type Acceptance = z.infer<typeof Acceptance>;

export const Position = z.object({ x: z.number(), y: z.number() });
export type Position = z.infer<typeof Position>;

export const WorkflowNode = z.object({
  id: Id,
  kind: NodeKind,
  /** What the canvas shows; defaults to the id. */
  label: z.string().max(200).optional(),
  description: z.string().max(4000).optional(),
  /** Registered tool name (`text.template`, `mcp.files.read_file`, …). */
  tool: z.string().min(1).optional(),
  inputs: z.record(z.string(), Binding).default({}),
  retry: RetrySpec.optional(),
  /** Deadline for one attempt, from the moment the node starts running. */
  timeoutMs: z.number().int().min(1).max(86_400_000).optional(),
  /** Reuse a prior output with the same tool, tool version and resolved input. */
  cache: z.boolean().optional(),
  acceptance: Acceptance.optional(),
  /** JSON Schema the output is expected to satisfy (planner hint, checked by the critic). */
  outputSchema: z.record(z.string(), z.unknown()).optional(),
  position: Position.optional(),
});
export type WorkflowNode = z.infer<typeof WorkflowNode>;

export const Branch = z.enum(['true', 'false']);
export type Branch = z.infer<typeof Branch>;

export const Edge = z.object({
  id: Id,
  source: Id,
  target: Id,
  /** Only on edges out of a `condition` node: which outcome this edge follows. */
  branch: Branch.optional(),
});
export type Edge = z.infer<typeof Edge>;

export const RunInputSpec = z.object({
  type: z.enum(['string', 'number', 'boolean', 'json']).default('string'),
  description: z.string().optional(),
  default: z.unknown().optional(),
  required: z.boolean().optional(),
});
export type RunInputSpec = z.infer<typeof RunInputSpec>;

export const WorkflowSettings = z.object({
  /** Nodes of one run that may run at once. @default 8 */
  concurrency: z.number().int().min(1).max(1024).optional(),
  /** Tools this workflow may call without asking (policy gate). Supports `mcp.server.*`. */
  allowTools: z.array(z.string()).optional(),
  /** Named run inputs, referenced as `{{input.<name>}}`. */
  inputs: z.record(z.string(), RunInputSpec).optional(),
  /** Model override for `llm`/`agent` nodes of this workflow. */
  model: z.string().optional(),
});
export type WorkflowSettings = z.infer<typeof WorkflowSettings>;

export const Workflow = z.object({
  $schema: z.string().optional(),
  id: Id,
  name: z.string().min(1).max(200),
  goal: z.string().max(10_000).optional(),
  /** Document version; bumped by the store on every save. */
  version: z.number().int().min(1).default(1),
  nodes: z.array(WorkflowNode).max(100_000),
  edges: z.array(Edge).max(500_000).default([]),
  settings: WorkflowSettings.default({}),
});
export type Workflow = z.infer<typeof Workflow>;
/** What a file may hold before defaults are applied. */
export type WorkflowInput = z.input<typeof Workflow>;

/** One problem found by validation, naming where it is. */
export const Problem = z.object({
  code: z.enum([
    'parse',
    'schema',
    'duplicate-id',
    'dangling-edge',
    'cycle',
    'unknown-tool',
    'missing-tool',
    'invalid-input',
    'bad-reference',
    'not-ancestor',
    'bad-template',
    'bad-branch',
    'too-large',
  ]),
  message: z.string(),
  nodeId: z.string().optional(),
  edgeId: z.string().optional(),
  /** JSON path inside the document, e.g. `nodes[3].inputs.template`. */
  path: z.string().optional(),
});
export type Problem = z.infer<typeof Problem>;
