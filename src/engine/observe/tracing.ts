/**
 * OpenTelemetry traces of runs (issue 13): a span per run, a child per node attempt, and
 * children of those for calls that leave the process (MCP tools, http.fetch) and LLM calls (GenAI
 * semantic conventions). Run and attempt spans come from the engine's events as they are
 * emitted (their clock readings are the spans' times); tool and LLM spans from wrapping the
 * executor and the tool context's LLM client. Off unless an OTLP endpoint is configured:
 * then nothing here is created, no provider is registered, and the engine pays nothing
 * (tracing-switch.ts decides, from the OTEL_* environment and Settings).
 */
import { context, defaultTextMapSetter, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { TracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from '@opentelemetry/semantic-conventions';
import type { EngineEvent, Workflow, WorkflowNode } from '../../contract';
import type { Executor } from '../execution/executor';
import { stderrLogger, type EngineLogger } from './logger';
import type { LlmChatClient, ToolContext, ToolSpec } from '../tools/types';
import { toolLabel } from './metrics';
import { propagator, setError, tracedLlm } from './spans';

export interface TracingOptions {
  /** Where finished spans go (tests pass their own); from the OTEL_* environment when absent. */
  spanProcessors: SpanProcessor[];
  /** @default OTEL_SERVICE_NAME, else `awe` */
  serviceName?: string;
}

interface Attempt {
  span: Span;
  ctx: Context;
  /** Set by `retrying`: the attempt ends when the retry's backoff is recorded on it. */
  endAt?: number;
  /** Paused for a person: the next `running` continues this attempt. */
  waiting?: boolean;
  usage: { input: number; output: number; cost: number };
}

interface RunSpans {
  span: Span;
  ctx: Context;
  nodes: Map<string, WorkflowNode>;
  attempts: Map<string, Attempt>;
}

const key = (runId: string, nodeId: string) => `${runId}\u0000${nodeId}`;

export class RunTracer {
  private readonly provider: TracerProvider;
  private readonly tracer: Tracer;
  private readonly runs = new Map<string, RunSpans>();
  private readonly attempts = new Map<string, Attempt>();

  constructor(
    options: TracingOptions,
    private readonly workflowOf: (runId: string) => Workflow | undefined,
    private readonly logger: EngineLogger = stderrLogger,
  ) {
    this.provider = new TracerProvider({
      resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName ?? process.env.OTEL_SERVICE_NAME ?? 'awe', [ATTR_SERVICE_VERSION]: '0.1.0' }),
      spanProcessors: options.spanProcessors,
    });
    // Not registered globally: each engine has its own provider, and tracing off registers nothing.
    this.tracer = this.provider.getTracer('awe.engine');
  }

  /** Hears each event as it is emitted (before a tool starts), so attempt spans exist when tools run. */
  onEvent(e: EngineEvent): void {
    try {
      this.apply(e);
    } catch (err) {
      this.logger.error(`tracing: ${(err as Error).message}`);
    }
  }

  private run(e: EngineEvent): RunSpans {
    let r = this.runs.get(e.runId);
    if (r) return r;
    const wf = this.workflowOf(e.runId);
    const span = this.tracer.startSpan(
      `run ${wf?.name ?? wf?.id ?? e.runId}`,
      {
        kind: SpanKind.INTERNAL,
        startTime: e.ts,
        attributes: { 'awe.run.id': e.runId, 'awe.workflow.id': wf?.id ?? '', ...(wf?.name ? { 'awe.workflow.name': wf.name } : {}), 'awe.run.resumed': e.type !== 'run.started' },
      },
      ROOT_CONTEXT,
    );
    r = { span, ctx: trace.setSpan(ROOT_CONTEXT, span), nodes: new Map((wf?.nodes ?? []).map((n) => [n.id, n])), attempts: new Map() };
    this.runs.set(e.runId, r);
    return r;
  }

  private apply(e: EngineEvent): void {
    const r = this.run(e);
    switch (e.type) {
      case 'run.status':
        r.span.addEvent(`run ${e.status}`, { ...(e.reason ? { 'awe.reason': e.reason } : {}) }, e.ts);
        break;
      case 'run.finished': {
        for (const id of [...r.attempts.keys()]) this.endAttempt(e.runId, id, e.ts);
        r.span.setAttribute('awe.run.status', e.status);
        if (e.status === 'failed') r.span.setStatus({ code: SpanStatusCode.ERROR, message: e.error ?? 'the run failed' });
        r.span.end(e.ts);
        this.runs.delete(e.runId);
        break;
      }
      case 'node.definition':
        r.nodes.set(e.nodeId, e.node);
        break;
      case 'node.status':
        this.nodeStatus(r, e);
        break;
      case 'node.retry': {
        const a = this.attempts.get(key(e.runId, e.nodeId));
        if (!a) break;
        a.span.addEvent('awe.retry', { 'awe.retry.attempt': e.attempt, 'awe.retry.delay_ms': e.delayMs, 'error.type': e.error.code ?? e.error.class }, e.ts);
        this.endAttempt(e.runId, e.nodeId, a.endAt ?? e.ts);
        break;
      }
      case 'node.usage': {
        const a = this.attempts.get(key(e.runId, e.nodeId));
        if (!a) break;
        a.span.addEvent('awe.usage', { 'gen_ai.usage.input_tokens': e.usage.promptTokens, 'gen_ai.usage.output_tokens': e.usage.completionTokens, 'awe.cost_usd': e.usage.costUsd, ...(e.model ? { 'gen_ai.request.model': e.model } : {}) }, e.ts);
        a.usage.input += e.usage.promptTokens;
        a.usage.output += e.usage.completionTokens;
        a.usage.cost += e.usage.costUsd;
        a.span.setAttributes({ 'gen_ai.usage.input_tokens': a.usage.input, 'gen_ai.usage.output_tokens': a.usage.output, 'awe.cost_usd': a.usage.cost });
        break;
      }
      case 'approval.requested':
        this.attempts.get(key(e.runId, e.nodeId))?.span.addEvent('awe.approval.requested', { ...(e.tool ? { 'awe.tool': e.tool } : {}) }, e.ts);
        break;
      case 'approval.resolved':
        this.attempts.get(key(e.runId, e.nodeId))?.span.addEvent('awe.approval.resolved', { 'awe.approved': e.approved }, e.ts);
        break;
      case 'node.verdict':
        this.attempts.get(key(e.runId, e.nodeId))?.span.addEvent('awe.verdict', { 'awe.verdict.pass': e.pass, 'awe.verdict.judge': e.judge }, e.ts);
        break;
      default:
        break;
    }
  }

  private nodeStatus(r: RunSpans, e: Extract<EngineEvent, { type: 'node.status' }>): void {
    const k = key(e.runId, e.nodeId);
    const open = this.attempts.get(k);
    const node = r.nodes.get(e.nodeId);
    if (e.status === 'running') {
      if (open?.waiting) {
        // Back from an approval wait: the same attempt continues.
        open.waiting = false;
        return;
      }
      if (open) this.endAttempt(e.runId, e.nodeId, open.endAt ?? e.ts);
      this.startAttempt(r, e, node, e.ts);
      return;
    }
    if (e.status === 'succeeded' && e.reason === 'cache' && !open) {
      // Reused from the cache: an attempt that took no time and called nothing.
      this.startAttempt(r, e, node, e.ts, { 'awe.cache.hit': true });
      this.endAttempt(e.runId, e.nodeId, e.ts);
      return;
    }
    if (!open) return;
    if (e.status === 'retrying') {
      if (e.error) setError(open.span, e.error);
      open.endAt = e.ts;
    } else if (e.status === 'succeeded' || e.status === 'failed' || e.status === 'cancelled' || e.status === 'interrupted' || e.status === 'skipped') {
      open.span.setAttribute('awe.node.status', e.status);
      if (e.error) setError(open.span, e.error);
      this.endAttempt(e.runId, e.nodeId, e.ts);
    } else if (e.status === 'waiting') {
      open.waiting = true;
      open.span.addEvent('awe.waiting', {}, e.ts);
    }
  }

  private startAttempt(r: RunSpans, e: Extract<EngineEvent, { type: 'node.status' }>, node: WorkflowNode | undefined, ts: number, extra: Attributes = {}): void {
    const tool = toolLabel(node);
    const span = this.tracer.startSpan(
      `node ${e.nodeId}`,
      {
        startTime: ts,
        attributes: {
          'awe.node.id': e.nodeId,
          'awe.node.kind': node?.kind ?? 'unknown',
          'awe.node.tool': tool,
          'awe.node.attempt': e.attempt,
          'awe.node.generation': e.generation,
          'awe.cache.hit': false,
          ...(e.reason ? { 'awe.node.reason': e.reason } : {}),
          ...extra,
        },
      },
      r.ctx,
    );
    const a: Attempt = { span, ctx: trace.setSpan(r.ctx, span), usage: { input: 0, output: 0, cost: 0 } };
    this.attempts.set(key(e.runId, e.nodeId), a);
    r.attempts.set(e.nodeId, a);
  }

  private endAttempt(runId: string, nodeId: string, ts: number): void {
    const k = key(runId, nodeId);
    const a = this.attempts.get(k);
    if (!a) return;
    this.attempts.delete(k);
    this.runs.get(runId)?.attempts.delete(nodeId);
    a.span.end(ts);
  }

  /**
   * The executor with a span around each call that leaves the process — MCP tools and
   * network tools (http.fetch) — and the tool's LLM client traced. In-process built-ins get
   * no span of their own: their attempt span already times them. Either way the call carries
   * the W3C context of its parent span (`ctx.trace`), which a queue worker continues.
   */
  wrapExecutor(inner: Executor): Executor {
    return { execute: (spec, input, ctx) => this.execute(inner, spec, input, ctx) };
  }

  execute(inner: Executor, spec: ToolSpec, input: unknown, ctx: ToolContext): Promise<{ output: unknown; truncated: boolean }> {
    const parent = this.attempts.get(key(ctx.runId, ctx.nodeId))?.ctx ?? ROOT_CONTEXT;
    const source = spec.source ?? 'builtin';
    if (source === 'builtin' && spec.effects !== 'network') {
      return inner.execute(spec, input, withTrace(ctx, parent, ctx.llm && tracedLlm(this.tracer, ctx.llm, parent)));
    }
    const attributes: Attributes = { 'awe.tool.name': spec.name, 'awe.tool.source': source, 'awe.tool.effects': spec.effects };
    if (source !== 'builtin') attributes['mcp.server'] = source;
    const url = (input as { url?: unknown } | undefined)?.url;
    if (spec.name === 'http.fetch' && typeof url === 'string') {
      try {
        const u = new URL(url);
        Object.assign(attributes, { 'server.address': u.hostname, 'url.scheme': u.protocol.replace(':', ''), 'http.request.method': String((input as { method?: unknown }).method ?? 'GET') });
      } catch {
        // Not a URL: the tool says so itself.
      }
    }
    const span = this.tracer.startSpan(`tool ${spec.name}`, { kind: SpanKind.CLIENT, attributes }, parent);
    const spanCtx = trace.setSpan(parent, span);
    const traced = withTrace(ctx, spanCtx, ctx.llm && tracedLlm(this.tracer, ctx.llm, spanCtx));
    return context.with(spanCtx, () => inner.execute(spec, input, traced)).then(
      (result) => {
        span.end();
        return result;
      },
      (err: unknown) => {
        const e = err as { code?: string; class?: string; message?: string };
        setError(span, { code: e.code, class: e.class ?? 'error', message: e.message ?? String(err) });
        span.end();
        throw err;
      },
    );
  }

  /** Sends what is buffered and stops (engine close). */
  async shutdown(): Promise<void> {
    for (const r of this.runs.values()) {
      for (const a of r.attempts.values()) a.span.end();
      r.span.setAttribute('awe.run.status', 'unfinished');
      r.span.end();
    }
    this.runs.clear();
    this.attempts.clear();
    await this.provider.shutdown();
  }
}

/**
 * The tool's context carrying `parent`'s W3C trace context and, when there is one, the traced
 * LLM client; getters (signal, artifacts) stay getters.
 */
function withTrace(ctx: ToolContext, parent: Context, llm: LlmChatClient | undefined): ToolContext {
  const carrier: { traceparent?: string; tracestate?: string } = {};
  propagator.inject(parent, carrier, defaultTextMapSetter);
  // The same prototype: the engine's context keeps its methods and getters there.
  const copy = Object.create(Object.getPrototypeOf(ctx) as object, Object.getOwnPropertyDescriptors(ctx)) as ToolContext;
  if (carrier.traceparent) Object.defineProperty(copy, 'trace', { value: { traceparent: carrier.traceparent, ...(carrier.tracestate ? { tracestate: carrier.tracestate } : {}) }, enumerable: true, configurable: true, writable: true });
  if (llm) Object.defineProperty(copy, 'llm', { value: llm, enumerable: true, configurable: true, writable: true });
  return copy;
}
