/**
 * Where the engine's traces go and switching it while the engine runs (issue 13): the standard
 * OTEL_* environment, else the OTLP endpoint in Settings, else nowhere.
 */
import type { Context } from '@opentelemetry/api';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace';
import type { Executor } from '../execution/executor';
import { stderrLogger, type EngineLogger } from './logger';
import type { RunTracer, TracingOptions } from './tracing';

/**
 * What the standard OTEL_* environment says about tracing: off (OTEL_SDK_DISABLED=true or
 * OTEL_TRACES_EXPORTER=none), on to the endpoint an OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT names,
 * or nothing (undefined: Settings may decide). `envVar` is the variable that decided.
 */
export function otlpFromEnv(env: NodeJS.ProcessEnv = process.env): { on: boolean; envVar: string } | undefined {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return { on: false, envVar: 'OTEL_SDK_DISABLED' };
  if ((env.OTEL_TRACES_EXPORTER ?? '').split(',').map((s) => s.trim()).includes('none')) return { on: false, envVar: 'OTEL_TRACES_EXPORTER' };
  for (const envVar of ['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', 'OTEL_EXPORTER_OTLP_ENDPOINT']) {
    if (env[envVar]?.trim()) return { on: true, envVar };
  }
  return undefined;
}

/**
 * Tracing as the standard OTEL_* environment asks for it: on when OTEL_EXPORTER_OTLP_ENDPOINT
 * or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set (the exporter reads those, their headers,
 * timeout and compression itself), off when neither is, or OTEL_SDK_DISABLED=true, or
 * OTEL_TRACES_EXPORTER=none.
 */
export function tracingFromEnv(env: NodeJS.ProcessEnv = process.env): TracingOptions | undefined {
  return otlpFromEnv(env)?.on ? { spanProcessors: [otlpProcessor()] } : undefined;
}

/** Batched OTLP/HTTP export: to `target` (Settings), or where the OTEL_* environment says. */
export function otlpProcessor(target?: { endpoint: string; headers: Record<string, string> }): SpanProcessor {
  return new BatchSpanProcessor({ exporter: new OtlpExporter(target ? { url: `${target.endpoint.replace(/\/+$/, '')}/v1/traces`, headers: target.headers } : undefined) });
}

/**
 * The OTLP/HTTP exporter, loaded when it first has spans to send: its modules were ~3% of
 * `awe serve`'s start-up, paid even with tracing off while they were imported up front.
 */
class OtlpExporter implements SpanExporter {
  private loaded: Promise<SpanExporter> | undefined;

  /** Undefined: the exporter reads the OTEL_* environment itself. */
  constructor(private readonly config: { url: string; headers: Record<string, string> } | undefined) {}

  export(spans: ReadableSpan[], done: (result: ExportResult) => void): void {
    this.load().then(
      (exporter) => exporter.export(spans, done),
      (error: Error) => done({ code: ExportResultCode.FAILED, error }),
    );
  }

  async forceFlush(): Promise<void> {
    if (this.loaded) await (await this.loaded).forceFlush?.();
  }

  async shutdown(): Promise<void> {
    if (this.loaded) await (await this.loaded).shutdown();
  }

  private load(): Promise<SpanExporter> {
    this.loaded ??= import('@opentelemetry/exporter-trace-otlp-http').then(({ OTLPTraceExporter }) => new OTLPTraceExporter(this.config));
    return this.loaded;
  }
}

/**
 * The engine's span processor when Settings may change the endpoint while runs are open: it
 * hands spans to the current exporter's processor, and `swap` flushes the old one. A span
 * started before a swap and ended after it goes to the new endpoint, so open runs keep their tree.
 */
export class SwappableSpanProcessor implements SpanProcessor {
  constructor(private inner: SpanProcessor) {}

  async swap(next: SpanProcessor): Promise<void> {
    const old = this.inner;
    this.inner = next;
    await old.shutdown();
  }

  onStart(span: Parameters<SpanProcessor['onStart']>[0], parentContext: Context): void {
    this.inner.onStart(span, parentContext);
  }

  onEnd(span: Parameters<SpanProcessor['onEnd']>[0]): void {
    this.inner.onEnd(span);
  }

  forceFlush(): Promise<void> {
    return this.inner.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

/** Where an engine's traces go, as Settings and the environment decide (settings.ts `otlpTarget`). */
export type OtlpTarget = { source: 'environment'; envVar: string } | { source: 'settings'; endpoint: string; headers: Record<string, string> } | { source: 'off'; envVar?: string };

/**
 * The engine's tracing, switched while it runs (issue 13: the endpoint is a Setting, applied
 * without a restart). Off: no tracer, no event tap, the executor calls straight through.
 * On: one RunTracer; a new endpoint swaps only its exporter (open runs keep their spans);
 * off again ends open spans as unfinished, flushes, and removes the tap.
 */
export class TracingSwitch {
  private tracer: RunTracer | undefined;
  private processor: SwappableSpanProcessor | undefined;
  private untap: (() => void) | undefined;
  private signature = 'off';
  /** The exporters being flushed and shut down, in order; `shutdown` waits for them. */
  private settling: Promise<void> = Promise.resolve();

  constructor(
    private readonly start: (processors: SpanProcessor[]) => RunTracer,
    private readonly tap: (tracer: RunTracer) => () => void,
    private readonly logger: EngineLogger = stderrLogger,
  ) {}

  /** Fixed span processors (tests, the bench): Settings and the environment are not consulted. */
  fixed(options: TracingOptions): void {
    this.tracer = this.start(options.spanProcessors);
    this.untap = this.tap(this.tracer);
    this.signature = 'fixed';
  }

  apply(target: OtlpTarget): void {
    if (this.signature === 'fixed') return;
    const signature = target.source === 'off' ? 'off' : JSON.stringify(target);
    if (signature === this.signature) return;
    this.signature = signature;
    const next = target.source === 'off' ? undefined : otlpProcessor(target.source === 'settings' ? target : undefined);
    if (!next) {
      const [tracer, untap] = [this.tracer, this.untap];
      this.tracer = this.processor = this.untap = undefined;
      untap?.();
      if (tracer) this.settle(tracer.shutdown());
    } else if (this.processor) {
      this.settle(this.processor.swap(next));
    } else {
      this.processor = new SwappableSpanProcessor(next);
      this.tracer = this.start([this.processor]);
      this.untap = this.tap(this.tracer);
    }
  }

  /** Calls through `inner`, traced when tracing is on at the time of the call. */
  wrapExecutor(inner: Executor): Executor {
    return { execute: (spec, input, ctx) => (this.tracer ? this.tracer.execute(inner, spec, input, ctx) : inner.execute(spec, input, ctx)) };
  }

  async shutdown(): Promise<void> {
    this.untap?.();
    const tracer = this.tracer;
    this.tracer = this.processor = this.untap = undefined;
    if (tracer) this.settle(tracer.shutdown());
    await this.settling;
  }

  private settle(step: Promise<void>): void {
    this.settling = this.settling.then(() => step).catch((err: Error) => this.logger.error(`tracing: ${err.message}`));
  }
}
