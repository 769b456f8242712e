/**
 * Prometheus metrics of one `awe worker` (issue 13): what this process did with the tasks it
 * took from the queue. Every name starts with `awe_worker_` so nothing here is counted twice
 * with the control plane's `awe_*` series: the control plane already counts each remote node
 * execution (`awe_node_executions_total`) and the LLM tokens it reports (`awe_llm_tokens_total`)
 * from the run's events; the worker's series say where and how the work was done (per worker,
 * refusals, redeliveries, deadline aborts, occupancy) and are never to be summed with those.
 * Labels are bounded: tool names, outcomes, error classes, refusal reasons, models and token
 * directions, never a run id, job id, node id or free text.
 */
import { Gauge, Histogram, type Counter } from 'prom-client';
import type { ErrorClass } from '../../contract';
import { MetricSet, NODE_BUCKETS } from './metrics';

/** Why a worker gave a task back without running its tool. */
export type RefusalReason = 'wire_version' | 'cancelled' | 'unknown_tool' | 'tool_version' | 'placement' | 'past_deadline';

export class WorkerMetrics extends MetricSet {
  private readonly tasks: Counter<'tool' | 'outcome' | 'error_class'> = this.counter(
    'awe_worker_tasks_total',
    'Tasks whose tool this worker ran, by tool and outcome (succeeded, failed) with the error class (none, transient, permanent, cancelled).',
    ['tool', 'outcome', 'error_class'],
  );
  private readonly duration: Histogram<'tool'> = new Histogram({
    name: 'awe_worker_task_duration_seconds',
    help: 'Time this worker spent running a task\'s tool, by tool.',
    labelNames: ['tool'],
    buckets: NODE_BUCKETS,
    registers: [this.registry],
  });
  private readonly refused: Counter<'reason'> = this.counter(
    'awe_worker_tasks_refused_total',
    'Tasks given back without running their tool, by reason (tool_version, past_deadline, unknown_tool, placement, wire_version, cancelled).',
    ['reason'],
  );
  private readonly redeliveries: Counter = this.counter('awe_worker_redeliveries_total', 'Tasks this worker picked up that a lost worker had held (delivery 2 or more).');
  private readonly deadlineTimeouts: Counter<'tool'> = this.counter('awe_worker_deadline_timeouts_total', 'Tasks aborted because they ran past their deadline, by tool.', ['tool']);
  private readonly active: Gauge = new Gauge({ name: 'awe_worker_tasks_active', help: 'Tasks this worker holds now.', registers: [this.registry] });
  private readonly tokens: Counter<'model' | 'direction'> = this.counter(
    'awe_worker_llm_tokens_total',
    'LLM tokens the tools on this worker reported, by model and direction (input, output). The control plane counts the same tokens in awe_llm_tokens_total: do not add the two.',
    ['model', 'direction'],
  );

  /** @param concurrency the most tasks this worker runs at once (`awe_worker_concurrency`). */
  constructor(concurrency: number, options: { defaultMetrics?: boolean } = {}) {
    super(options.defaultMetrics !== false);
    new Gauge({ name: 'awe_worker_concurrency', help: 'The most tasks this worker runs at once.', registers: [this.registry] }).set(concurrency);
  }

  /** A task taken (`delivery` > 1: redelivered); returns the function to call when the worker lets it go. */
  taken(delivery: number): () => void {
    if (delivery > 1) this.redeliveries.inc();
    this.active.inc();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active.dec();
    };
  }

  refusedTask(reason: RefusalReason): void {
    this.refused.inc({ reason });
  }

  /** A tool run ended: `error` undefined when it succeeded; `timedOut` when its deadline aborted it. */
  ran(tool: string, seconds: number, error?: { class: ErrorClass; timedOut?: boolean }): void {
    this.tasks.inc({ tool, outcome: error ? 'failed' : 'succeeded', error_class: error?.class ?? 'none' });
    this.duration.observe({ tool }, seconds);
    if (error?.timedOut) this.deadlineTimeouts.inc({ tool });
  }

  usage(model: string | undefined, promptTokens: number, completionTokens: number): void {
    const name = model ?? 'unknown';
    if (promptTokens) this.tokens.inc({ model: name, direction: 'input' }, promptTokens);
    if (completionTokens) this.tokens.inc({ model: name, direction: 'output' }, completionTokens);
  }
}
