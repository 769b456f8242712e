/**
 * What the scheduler (scheduler.ts) and the node runner (node-runner.ts) share about one
 * run, in a module of its own so the two never import each other: the scheduler builds a
 * RunContext and hands it to the runner; the runner reads and emits through it and never
 * calls back into the scheduler.
 *
 * The context's `view` is the one source of truth for the run's state, node outputs
 * included: it changes only by applying the events `emit` records.
 */
import { applyEvent, type EngineEvent, type EngineEventBody, type NodeError, type RunReason, type RunView, type Workflow, type WorkflowNode } from '../../contract';
import type { ArtifactSink, LlmChatClient, ToolSpec } from '../tools/types';
import type { Graph } from '../../shared/graph';
import type { TemplateScope } from '../workflow/templates';
import type { Executor } from './executor';
import type { Limiter } from './limiter';
import { DEFAULT_MAX_RECORDED_CHARS } from './recorded-size';

export interface ExecutionDeps {
  tools: { get(name: string): ToolSpec | undefined };
  /** Stamps runId/seq/ts, queues the event for the batched store write, returns it. */
  emit(body: EngineEventBody): EngineEvent;
  /** Shared across runs: the global concurrency limit. */
  globalLimiter: Limiter;
  cache: { get(key: string): { output: unknown } | undefined; set(key: string, output: unknown): void };
  artifactsFor(nodeId: string): ArtifactSink;
  llm?: LlmChatClient;
  /**
   * Prices model usage a tool reported without a cost: a remote worker has no Settings, so
   * the control plane prices what its LLM calls used with the prices in its own Settings.
   */
  price?: (model: string, promptTokens: number, completionTokens: number) => number;
  /** Waits for a person's answer to an approval request (persisted by the engine; answered in-process or by `awe approve`). */
  approvals: { wait(nodeId: string, signal: AbortSignal): Promise<PersonAnswer> };
  /** Tool allowed without asking (workflow allowTools + engine/run allow lists merged). */
  isAllowed(toolName: string): boolean;
  /** A person can answer approvals (desktop/serve); headless refuses risky tools. */
  interactive: boolean;
  /** LLM judge for acceptance criteria, when a model is configured. */
  judge?: (criteria: string[], output: unknown, signal: AbortSignal) => Promise<{ pass: boolean; reasons: string[] }>;
  /** For tests: deterministic jitter. @default Math.random */
  random?: () => number;
  /** Where tool calls run. @default inProcessExecutor */
  executor?: Executor;
  /** Largest JSON (characters) of one recorded input, output or log value. @default DEFAULT_MAX_RECORDED_CHARS (32 Mi) */
  maxRecordedChars?: number;
}

export interface RunSpec {
  runId: string;
  /** The snapshot stored with the run (validated before it was stored). */
  workflow: Workflow;
  /** The snapshot's DAG when validation already built it (a fresh start); otherwise built from the snapshot. */
  graph?: Graph;
  /** The run's typed inputs (defaults applied, text typed as declared): what `run.started` records. */
  inputs: Record<string, unknown>;
  /** Nodes of this run running at once (the global limiter bounds all runs together). */
  concurrency: number;
  workspaceDir: string;
}

export interface PersonAnswer {
  approved: boolean;
  comment?: string;
}

export interface PersonRequest {
  message: string;
  tool?: string;
  input?: unknown;
}

/** Where a run's questions to a person go (person-desk.ts). */
export interface Asker {
  ask(nodeId: string, request: PersonRequest): Promise<PersonAnswer>;
}

/** Whether a tool may be called now (policy.ts); rejects with a permanent POLICY error otherwise. */
export interface ToolGate {
  /** Undefined when the tool may be called at once (allowed, or not risky): most calls wait for nothing. */
  check(spec: ToolSpec, input: unknown, nodeId: string): Promise<void> | undefined;
}

export type NodeStatusChange = 'running' | 'retrying' | 'waiting' | 'succeeded' | 'failed' | 'cancelled';

export interface StatusDetails {
  reason?: RunReason;
  input?: unknown;
  error?: NodeError;
  detail?: string;
  attempt?: number;
}

/** The run's shared state and the parts that act on it; built by the scheduler, read by the runner. */
export class RunContext {
  /** The run's folded state, updated in place by `emit`. */
  readonly view: RunView;
  /** Outputs templates may reference: succeeded nodes only, read from the view (never a copy). */
  readonly outputs: TemplateScope['nodes'];
  /** Where nodes ask a person (approval nodes, tools, the policy gate). */
  readonly desk: Asker;
  /** What a tool call must pass first. */
  readonly policy: ToolGate;
  readonly maxRecordedChars: number;
  private readonly definitions = new Map<string, WorkflowNode>();
  private readonly inputOverrides = new Map<string, Record<string, unknown>>();
  /** Attempts within each node's current generation (NodeRun.attempt). */
  private readonly attemptInGeneration = new Map<string, { generation: number; attempt: number }>();
  private controller = new AbortController();
  private stopped = false;

  constructor(
    readonly spec: RunSpec,
    readonly deps: ExecutionDeps,
    view: RunView,
    gates: (ctx: RunContext) => { desk: Asker; policy: ToolGate },
    prior?: readonly EngineEvent[],
  ) {
    this.view = view;
    this.outputs = succeededOutputs(view);
    this.maxRecordedChars = deps.maxRecordedChars ?? DEFAULT_MAX_RECORDED_CHARS;
    for (const n of spec.workflow.nodes) this.definitions.set(n.id, n);
    for (const e of prior ?? []) {
      if (e.type === 'node.rerun' && e.inputs) this.inputOverrides.set(e.nodeId, e.inputs);
      if (e.type === 'node.definition') this.setDefinition({ ...e.node, id: e.nodeId });
      if (e.type === 'node.status' && e.status === 'running') {
        const seen = this.attemptInGeneration.get(e.nodeId);
        if (!seen || seen.generation !== e.generation || seen.attempt < e.attempt) this.attemptInGeneration.set(e.nodeId, { generation: e.generation, attempt: e.attempt });
      }
    }
    const { desk, policy } = gates(this);
    this.desk = desk;
    this.policy = policy;
  }

  /** Records an event and applies it to the view. */
  emit(body: EngineEventBody): EngineEvent {
    const e = this.deps.emit(body);
    applyEvent(this.view, e);
    return e;
  }

  /** Emits a node's status in its current generation (and attempt, unless given). */
  status(id: string, status: NodeStatusChange, details: StatusDetails): void {
    // Built field by field (not rest and spread): one object per status event, emitted by every node several times.
    const body: Extract<EngineEventBody, { type: 'node.status' }> = {
      type: 'node.status',
      nodeId: id,
      status,
      generation: this.view.nodes[id].generation,
      attempt: details.attempt ?? this.currentAttempt(id),
    };
    if (details.reason !== undefined) body.reason = details.reason;
    if (details.input !== undefined) body.input = details.input;
    if (details.error !== undefined) body.error = details.error;
    if (details.detail !== undefined) body.detail = details.detail;
    this.emit(body);
  }

  nextAttempt(id: string, generation: number): number {
    const seen = this.attemptInGeneration.get(id);
    if (!seen) {
      this.attemptInGeneration.set(id, { generation, attempt: 1 });
      return 1;
    }
    seen.attempt = seen.generation === generation ? seen.attempt + 1 : 1;
    seen.generation = generation;
    return seen.attempt;
  }

  currentAttempt(id: string): number {
    return this.attemptInGeneration.get(id)?.attempt ?? 0;
  }

  /** The definition the node runs with now (the snapshot's, or the latest a rerun gave it). */
  definitionOf(id: string): WorkflowNode | undefined {
    return this.definitions.get(id);
  }

  /** A rerun's edited definition replaces the node's, and any earlier input override with it. */
  setDefinition(node: WorkflowNode): void {
    this.definitions.set(node.id, node);
    this.inputOverrides.delete(node.id);
  }

  /** Edited inputs replace the bindings they name, for this and later generations. */
  setInputOverride(id: string, inputs: Record<string, unknown>): void {
    this.inputOverrides.set(id, inputs);
  }

  inputOverrideOf(id: string): Record<string, unknown> | undefined {
    return this.inputOverrides.get(id);
  }

  /** Aborted when the run is cancelled; a new one for each drive after a cancel. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get cancelled(): boolean {
    return this.stopped;
  }

  cancel(reason: unknown): void {
    this.stopped = true;
    this.controller.abort(reason);
  }

  /** A cancelled run driven again (rerun, resume) starts with a fresh signal. */
  renewAfterCancel(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.controller = new AbortController();
  }
}

/**
 * The view's nodes as template scope: a node's output is visible while it is `succeeded`
 * (a stale, failed or skipped node's last output is not). Own keys only: ids such as
 * `constructor` or `__proto__` are ordinary node ids.
 */
function succeededOutputs(view: RunView): TemplateScope['nodes'] {
  return new Proxy(Object.create(null) as TemplateScope['nodes'], {
    get: (_target, id) => {
      if (typeof id !== 'string' || !Object.hasOwn(view.nodes, id)) return undefined;
      const n = view.nodes[id];
      return n.status === 'succeeded' ? n : undefined;
    },
  });
}
