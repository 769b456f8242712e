/**
 * Prometheus metrics of one engine (issue 13), on its own prom-client Registry so two
 * engines in one process (tests, the desktop app beside `awe serve`) never share counts.
 * Almost everything is derived from the engine's event stream — the same events the store
 * wrote — so a counter moves exactly when the run's history says something happened.
 * Labels are bounded: tool names, statuses, error codes, models and MCP server names, never
 * a run id, a node id or free text.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EngineEvent, Workflow, WorkflowNode } from '../../contract';
import { toolOf } from '../../shared/kinds';

/** Counts of a job queue by state (waiting, active, delayed, failed, …), read at scrape time. */
export type QueueCounts = () => Promise<Record<string, number>> | Record<string, number>;

interface RunState {
  /** When this process saw the run begin executing (run.started, a rerun, a resume). */
  since?: number;
  tools: Map<string, string>;
  /** Per node running now: when its current attempt's running began, or -1 while it waits for a person. */
  running: Map<string, number>;
  /** Busy time before an approval pause, for the (few) attempts that paused. */
  busyMs: Map<string, number>;
  approvals: Map<string, number>;
}

const RUN_BUCKETS = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];
/** Buckets of one node execution's duration (seconds): the engine's attempts and a worker's tasks alike. */
export const NODE_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const WAIT_BUCKETS = [1, 5, 15, 60, 300, 900, 3600, 14_400, 86_400];
/** Durations noted before they are observed even though nobody scraped: bounds their memory (about 1 MB). */
const MAX_NOTED_DURATIONS = 100_000;

/** The label for a node's tool: its tool name, or its kind for nodes that call none (input, condition, output). */
export function toolLabel(node: Pick<WorkflowNode, 'kind' | 'tool'> | undefined): string {
  if (!node) return 'unknown';
  return toolOf(node) ?? node.kind;
}

/**
 * What every AWE metrics set shares — the control plane's (`EngineMetrics`) and a worker's
 * (`WorkerMetrics`): its own Registry, the text exposition, and prom-client's process and
 * runtime metrics (event-loop lag included), started at the first scrape so a process that
 * is never scraped does not pay for them.
 */
export class MetricSet {
  readonly registry = new Registry();
  private defaultsStarted = false;

  /** @param withDefaults process and Node.js metrics (CPU, memory, event-loop lag, GC). @default true */
  constructor(private readonly withDefaults = true) {}

  protected counter<L extends string>(name: string, help: string, labelNames: L[] = []): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }

  /** The Prometheus text exposition of every metric. */
  text(): Promise<string> {
    if (!this.defaultsStarted && this.withDefaults) {
      this.defaultsStarted = true;
      collectDefaultMetrics({ register: this.registry });
    }
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  /** What a metrics listener serves (see src/server/metrics-server.ts). */
  async metricsText(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.contentType, text: await this.text() };
  }
}

export class EngineMetrics extends MetricSet {
  private readonly runs = new Map<string, RunState>();
  private readonly runsStarted = this.counter('awe_runs_started_total', 'Runs that began executing.');
  private readonly runsFinished = this.counter('awe_runs_finished_total', 'Runs that reached a terminal state, by status.', ['status']);
  private readonly runDuration = new Histogram({ name: 'awe_run_duration_seconds', help: 'From a run beginning to execute in this process to its end.', labelNames: ['status'], buckets: RUN_BUCKETS, registers: [this.registry] });
  private readonly nodeExecutions = this.counter('awe_node_executions_total', 'Node attempts that ended, by tool and how (succeeded, failed, retrying, cancelled, interrupted). Cache reuses are not executions (see awe_cache_hits_total).', ['tool', 'status']);
  private readonly nodeDuration = new Histogram({
    name: 'awe_node_duration_seconds',
    help: 'Time a node attempt spent running (approval waits excluded), by tool.',
    labelNames: ['tool'],
    buckets: NODE_BUCKETS,
    registers: [this.registry],
    // Read at a scrape: the durations noted since the last one are observed then.
    collect: () => this.observeDurations(),
  });
  /**
   * Attempt durations (seconds) by tool not yet observed by the histogram. Observing one
   * (labels hashed, bucket searched) per node was most of this tap's cost; a number pushed
   * here is not, and a process nobody scrapes pays for them only every few thousand.
   */
  private readonly durations = new Map<string, number[]>();
  private notedDurations = 0;
  private readonly retries = this.counter('awe_node_retries_total', 'Retries after transient errors, by error code.', ['code']);
  private readonly deadLetters = this.counter('awe_dead_letters_total', 'Nodes that failed terminally (dead letters).');
  private readonly cacheHits = this.counter('awe_cache_hits_total', 'Node outputs reused from the cache.');
  private readonly approvalsWaiting = new Gauge({ name: 'awe_approvals_waiting', help: 'Approval requests waiting for a person now.', registers: [this.registry] });
  private readonly approvalWait = new Histogram({ name: 'awe_approval_wait_seconds', help: 'From an approval request to its answer.', buckets: WAIT_BUCKETS, registers: [this.registry] });
  private readonly tokens = this.counter('awe_llm_tokens_total', 'LLM tokens, by model and direction (input, output).', ['model', 'direction']);
  private readonly cost = this.counter('awe_llm_cost_usd_total', 'LLM cost in US dollars, by model (from the prices in Settings).', ['model']);
  private readonly mcpRestarts = this.counter('awe_mcp_server_restarts_total', 'MCP server restarts after a crash or disconnect, by server.', ['server']);
  private readonly mcpCallFailures = this.counter('awe_mcp_call_failures_total', 'MCP tool calls that failed, by server.', ['server']);
  private readonly queueWait = new Histogram({ name: 'awe_queue_wait_seconds', help: 'From a node execution being queued to a worker taking it.', buckets: NODE_BUCKETS, registers: [this.registry] });

  /**
   * @param workflowOf the snapshot a run executes (node → tool labels), read once per run.
   * @param options.defaultMetrics process and Node.js metrics (CPU, memory, event-loop lag, GC),
   *   started at the first scrape so a CLI run that is never scraped does not pay for them. @default true
   */
  constructor(
    private readonly workflowOf: (runId: string) => Workflow | undefined,
    options: { defaultMetrics?: boolean } = {},
  ) {
    super(options.defaultMetrics !== false);
  }

  mcpRestarted(server: string): void {
    this.mcpRestarts.inc({ server });
  }

  mcpCallFailed(server: string): void {
    this.mcpCallFailures.inc({ server });
  }

  /**
   * The hook a job queue (queue mode, `awe worker`) calls: its counts by state become
   * `awe_queue_jobs{state}` at each scrape; `observeQueueWait` records each job's wait.
   */
  registerQueue(counts: QueueCounts): void {
    new Gauge({
      name: 'awe_queue_jobs',
      help: 'Jobs in the queue, by state.',
      labelNames: ['state'],
      registers: [this.registry],
      async collect() {
        const now = await counts();
        this.reset();
        for (const [state, n] of Object.entries(now)) this.set({ state }, n);
      },
    });
  }

  observeQueueWait(seconds: number): void {
    this.queueWait.observe(seconds);
  }

  /** Attempts ended in the batch being observed, by tool and status: counted once per batch, not per node. */
  private readonly ended = new Map<string, Map<string, number>>();

  /** Applies one batch of the engine's event stream. */
  observe(batch: readonly EngineEvent[]): void {
    try {
      for (const e of batch) this.apply(e);
    } finally {
      for (const [tool, byStatus] of this.ended) for (const [status, n] of byStatus) this.nodeExecutions.inc({ tool, status }, n);
      this.ended.clear();
    }
  }

  private state(runId: string): RunState {
    let s = this.runs.get(runId);
    if (!s) {
      const tools = new Map<string, string>();
      for (const n of this.workflowOf(runId)?.nodes ?? []) tools.set(n.id, toolLabel(n));
      this.runs.set(runId, (s = { tools, running: new Map(), busyMs: new Map(), approvals: new Map() }));
    }
    return s;
  }

  private endAttempt(s: RunState, nodeId: string, status: string, ts: number): void {
    const since = s.running.get(nodeId);
    if (since === undefined) return;
    s.running.delete(nodeId);
    let busyMs = Math.max(0, ts - since);
    if (s.busyMs.size) {
      busyMs += s.busyMs.get(nodeId) ?? 0;
      s.busyMs.delete(nodeId);
    }
    const tool = s.tools.get(nodeId) ?? 'unknown';
    let byStatus = this.ended.get(tool);
    if (!byStatus) this.ended.set(tool, (byStatus = new Map()));
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
    const noted = this.durations.get(tool);
    if (!noted) this.durations.set(tool, [busyMs / 1000]);
    else noted.push(busyMs / 1000);
    if (++this.notedDurations >= MAX_NOTED_DURATIONS) this.observeDurations();
  }

  private observeDurations(): void {
    for (const [tool, seconds] of this.durations) {
      const labels = { tool };
      for (const s of seconds) this.nodeDuration.observe(labels, s);
    }
    this.durations.clear();
    this.notedDurations = 0;
  }

  private apply(e: EngineEvent): void {
    const s = this.state(e.runId);
    switch (e.type) {
      case 'run.started':
        this.runsStarted.inc();
        s.since = e.ts;
        break;
      case 'node.rerun':
        s.since ??= e.ts;
        break;
      case 'run.status':
        if (e.status === 'running') s.since ??= e.ts;
        break;
      case 'run.finished': {
        this.runsFinished.inc({ status: e.status });
        if (s.since !== undefined) this.runDuration.observe({ status: e.status }, Math.max(0, e.ts - s.since) / 1000);
        for (const nodeId of [...s.running.keys()]) this.endAttempt(s, nodeId, e.status === 'cancelled' ? 'cancelled' : 'interrupted', e.ts);
        // Requests nobody answered before the run ended no longer wait.
        this.approvalsWaiting.dec(s.approvals.size);
        this.runs.delete(e.runId);
        break;
      }
      case 'node.definition':
        s.tools.set(e.nodeId, toolLabel(e.node));
        break;
      case 'node.status': {
        const since = s.running.get(e.nodeId);
        if (e.status === 'running') {
          // Back from an approval wait (since -1) the same attempt goes on; otherwise a new attempt starts.
          if (since === undefined || since >= 0) s.busyMs.delete(e.nodeId);
          s.running.set(e.nodeId, e.ts);
        } else if (e.status === 'waiting') {
          if (since !== undefined && since >= 0) {
            s.busyMs.set(e.nodeId, (s.busyMs.get(e.nodeId) ?? 0) + Math.max(0, e.ts - since));
            s.running.set(e.nodeId, -1);
          }
        } else if (e.status === 'succeeded' || e.status === 'failed' || e.status === 'cancelled' || e.status === 'retrying' || e.status === 'interrupted') {
          if (since !== undefined && since < 0) s.running.set(e.nodeId, e.ts);
          this.endAttempt(s, e.nodeId, e.status, e.ts);
        }
        if (e.status === 'failed') this.deadLetters.inc();
        break;
      }
      case 'node.output':
        if (e.cached) this.cacheHits.inc();
        break;
      case 'node.retry':
        this.retries.inc({ code: e.error.code ?? e.error.class });
        break;
      case 'node.usage': {
        const model = e.model ?? 'unknown';
        if (e.usage.promptTokens) this.tokens.inc({ model, direction: 'input' }, e.usage.promptTokens);
        if (e.usage.completionTokens) this.tokens.inc({ model, direction: 'output' }, e.usage.completionTokens);
        if (e.usage.costUsd) this.cost.inc({ model }, e.usage.costUsd);
        break;
      }
      case 'approval.requested':
        if (!s.approvals.has(e.nodeId)) this.approvalsWaiting.inc();
        s.approvals.set(e.nodeId, e.ts);
        break;
      case 'approval.resolved': {
        const asked = s.approvals.get(e.nodeId);
        if (asked !== undefined) {
          s.approvals.delete(e.nodeId);
          this.approvalsWaiting.dec();
          this.approvalWait.observe(Math.max(0, e.ts - asked) / 1000);
        }
        break;
      }
      default:
        break;
    }
  }
}
