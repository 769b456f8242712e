/**
 * Pieces the engine's run tracing (tracing.ts) and a worker's task tracing (task-tracer.ts)
 * share: LLM call spans, how an error marks a span, and the W3C trace-context propagator.
 */
import { SpanKind, SpanStatusCode, type Context, type Span, type Tracer } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import type { LlmChatClient } from '../tools/types';

/** `traceparent`/`tracestate` in and out of a queue task. */
export const propagator = new W3CTraceContextPropagator();

/** One CLIENT span per chat completion, named and attributed as the GenAI semantic conventions say. */
export function tracedLlm(tracer: Tracer, client: LlmChatClient, parent: Context): LlmChatClient {
  return {
    get model() {
      return client.model;
    },
    async chat(request, signal) {
      const model = request.model ?? client.model;
      const span = tracer.startSpan(
        `chat ${model}`,
        { kind: SpanKind.CLIENT, attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.provider.name': 'openai', 'gen_ai.request.model': model, ...(request.maxTokens ? { 'gen_ai.request.max_tokens': request.maxTokens } : {}), ...(request.temperature !== undefined ? { 'gen_ai.request.temperature': request.temperature } : {}) } },
        parent,
      );
      try {
        const res = await client.chat(request, signal);
        span.setAttributes({
          'gen_ai.response.model': res.model,
          'gen_ai.usage.input_tokens': res.usage.promptTokens,
          'gen_ai.usage.output_tokens': res.usage.completionTokens,
          'awe.cost_usd': res.usage.costUsd,
          ...(res.finishReason ? { 'gen_ai.response.finish_reasons': [res.finishReason] } : {}),
        });
        return res;
      } catch (err) {
        const e = err as { code?: string; message?: string };
        setError(span, { code: e.code, class: 'error', message: e.message ?? String(err) });
        throw err;
      } finally {
        span.end();
      }
    },
  };
}

export function setError(span: Span, error: { code?: string; class?: string; message: string }): void {
  span.setStatus({ code: SpanStatusCode.ERROR, message: error.message.slice(0, 500) });
  span.setAttributes({ 'error.type': error.code ?? error.class ?? 'error', ...(error.class ? { 'awe.error.class': error.class } : {}) });
}
