/** `awe worker`'s spans: each task continues the trace its control plane sent with it. */
import { defaultTextMapGetter, ROOT_CONTEXT, SpanKind, trace, type Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { QueueTask } from '../../contract';
import type { LlmChatClient } from '../tools/types';
import { propagator, setError, tracedLlm } from './spans';
import type { TracingOptions } from './tracing';

/**
 * `awe worker`'s side of a trace: one CONSUMER span per task, a child of the span the control
 * plane sent with it (the node attempt, or its tool call), and the task's LLM calls under it.
 */
export class TaskTracer {
  private readonly provider: TracerProvider;
  private readonly tracer: Tracer;

  constructor(options: TracingOptions) {
    this.provider = new TracerProvider({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName ?? process.env.OTEL_SERVICE_NAME ?? 'awe-worker', [ATTR_SERVICE_VERSION]: '0.1.0' }),
      spanProcessors: options.spanProcessors,
    });
    this.tracer = this.provider.getTracer('awe.worker');
  }

  async run<T>(task: QueueTask, job: { workerId: string; delivery: number }, llm: LlmChatClient | undefined, fn: (llm: LlmChatClient | undefined) => Promise<T>): Promise<T> {
    const parent = task.trace?.traceparent ? propagator.extract(ROOT_CONTEXT, task.trace, defaultTextMapGetter) : ROOT_CONTEXT;
    const span = this.tracer.startSpan(
      `tool ${task.tool.name}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'awe.tool.name': task.tool.name,
          'awe.tool.version': task.tool.version,
          'awe.run.id': task.runId,
          'awe.node.id': task.nodeId,
          'awe.node.generation': task.generation,
          'awe.queue.dispatch': task.dispatch,
          'awe.queue.delivery': job.delivery,
          'awe.worker.id': job.workerId,
          'messaging.system': 'bullmq',
          'messaging.operation.type': 'process',
        },
      },
      parent,
    );
    const spanCtx = trace.setSpan(parent, span);
    try {
      return await fn(llm && tracedLlm(this.tracer, llm, spanCtx));
    } catch (err) {
      const e = err as { code?: string; class?: string; message?: string };
      setError(span, { code: e.code, class: e.class ?? 'error', message: e.message ?? String(err) });
      throw err;
    } finally {
      span.end();
    }
  }

  /** Sends what is buffered (the worker drains). */
  shutdown(): Promise<void> {
    return this.provider.shutdown();
  }
}
