/**
 * The chat client behind `llm.generate`, `agent.run`, the LLM planner and the judge: any
 * OpenAI-compatible endpoint (OpenAI, Ollama, LM Studio, vLLM) through the `openai` package.
 *
 * The openai client's own retries are switched off (`maxRetries: 0`): the engine's retry
 * policy decides, so a 429 must surface at once as a transient error carrying the server's
 * retry-after, not be retried again by a second hidden loop.
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type { Usage } from '../../../contract';
import { permanent, transient, ToolError } from '../../errors';
import type { LlmChatClient, LlmChatRequest, LlmChatResponse, LlmMessage } from '../types';

/** USD per 1M tokens, per model name (or model-name prefix). */
export type PriceTable = Record<string, { prompt: number; completion: number }>;

export interface LlmConfig {
  /** OpenAI-compatible base URL, e.g. `http://localhost:11434/v1` for Ollama. @default OpenAI's */
  baseUrl?: string;
  apiKey: string;
  /** Model used when a request names none. */
  model: string;
  /** Cost accounting; models not in the table cost 0. @default {} */
  prices?: PriceTable;
  /** Per-request deadline of the HTTP call (the node's own timeout usually fires first). @default 600000 */
  timeoutMs?: number;
}

/** The model used when neither settings nor `AWE_LLM_MODEL` name one. */
export const DEFAULT_MODEL = 'gpt-4o-mini';

/**
 * The LLM configuration the environment gives: `OPENAI_API_KEY`, `OPENAI_BASE_URL`,
 * `AWE_LLM_MODEL`. Returns `apiKey: undefined` when no key is set.
 */
export function llmConfigFromEnv(env: NodeJS.ProcessEnv = process.env): { baseUrl?: string; apiKey?: string; model: string } {
  const apiKey = env.OPENAI_API_KEY?.trim() || undefined;
  const baseUrl = env.OPENAI_BASE_URL?.trim() || undefined;
  const model = env.AWE_LLM_MODEL?.trim() || DEFAULT_MODEL;
  return { apiKey, baseUrl, model };
}

export function createLlmClient(cfg: LlmConfig): LlmChatClient {
  const openai = new OpenAI({
    apiKey: cfg.apiKey,
    baseURL: cfg.baseUrl,
    maxRetries: 0,
    timeout: cfg.timeoutMs ?? 600_000,
  });
  const prices = cfg.prices ?? {};

  return {
    model: cfg.model,
    async chat(request: LlmChatRequest, signal: AbortSignal): Promise<LlmChatResponse> {
      const model = request.model ?? cfg.model;
      const body: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming = {
        model,
        messages: request.messages.map(toOpenAiMessage),
      };
      if (request.temperature !== undefined) body.temperature = request.temperature;
      if (request.maxTokens !== undefined) body.max_tokens = request.maxTokens;
      if (request.jsonSchema) {
        // strict mode would demand every property be required; workflow and tool schemas have optional fields.
        body.response_format = {
          type: 'json_schema',
          json_schema: { name: safeSchemaName(request.jsonSchema.name), schema: request.jsonSchema.schema, strict: false },
        };
      }
      if (request.tools?.length) {
        body.tools = request.tools.map((t) => ({
          type: 'function' as const,
          function: { name: t.name, description: t.description, parameters: t.parameters },
        }));
      }

      let reply: OpenAI.Chat.Completions.ChatCompletion;
      try {
        reply = await openai.chat.completions.create(body, { signal });
      } catch (err) {
        throw toToolError(err, signal, cfg.baseUrl);
      }

      const choice = reply?.choices?.[0];
      if (!choice || !choice.message) {
        throw transient('LLM_BAD_RESPONSE', `the model endpoint returned a completion without choices (model ${model})`);
      }
      // Endpoints answer with a dated name (gpt-4o-mini-2024-07-18) or an alias; price by either.
      const usage = usageOf(reply.usage, [reply.model, model], prices);
      const toolCalls = (choice.message.tool_calls ?? [])
        .filter((c) => c.type === 'function')
        .map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments ?? '' }));
      return {
        content: choice.message.content ?? null,
        toolCalls,
        usage,
        model: reply.model || model,
        finishReason: choice.finish_reason ?? undefined,
      };
    },
  };
}

/** Costs `usage` with the price table: exact model name first, else the longest matching prefix. */
export function costOf(model: string, promptTokens: number, completionTokens: number, prices: PriceTable): number {
  const price = priceOf(model, prices);
  if (!price) return 0;
  return (promptTokens * price.prompt + completionTokens * price.completion) / 1_000_000;
}

function priceOf(model: string, prices: PriceTable): { prompt: number; completion: number } | undefined {
  if (prices[model]) return prices[model];
  const prefix = Object.keys(prices)
    .filter((k) => model.startsWith(k))
    .sort((a, b) => b.length - a.length)[0];
  return prefix ? prices[prefix] : undefined;
}

function usageOf(u: OpenAI.Completions.CompletionUsage | undefined, models: (string | undefined)[], prices: PriceTable): Usage {
  const promptTokens = u?.prompt_tokens ?? 0;
  const completionTokens = u?.completion_tokens ?? 0;
  const priced = models.find((m) => m && priceOf(m, prices));
  return { promptTokens, completionTokens, costUsd: priced ? costOf(priced, promptTokens, completionTokens, prices) : 0 };
}

function toOpenAiMessage(m: LlmMessage): OpenAI.Chat.Completions.ChatCompletionMessageParam {
  switch (m.role) {
    case 'system':
      return { role: 'system', content: m.content ?? '' };
    case 'user':
      return { role: 'user', content: m.content ?? '' };
    case 'tool':
      return { role: 'tool', content: m.content ?? '', tool_call_id: m.tool_call_id ?? '' };
    case 'assistant':
      return m.tool_calls?.length
        ? { role: 'assistant', content: m.content, tool_calls: m.tool_calls }
        : { role: 'assistant', content: m.content ?? '' };
  }
}

/** OpenAI requires `^[a-zA-Z0-9_-]{1,64}$` for a response-format name. */
function safeSchemaName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64) || 'output';
}

/** Maps what the openai client throws onto the engine's transient/permanent classes. */
function toToolError(err: unknown, signal: AbortSignal, baseUrl: string | undefined): unknown {
  if (signal.aborted) {
    // Rethrow the engine's own reason (cancel or node timeout) so it is classified as the engine meant.
    if (signal.reason instanceof Error) return signal.reason;
    const abort = new Error('the model call was aborted');
    abort.name = 'AbortError';
    return abort;
  }
  if (err instanceof ToolError) return err;
  const where = baseUrl ? ` at ${baseUrl}` : '';
  if (err instanceof APIUserAbortError) {
    const abort = new Error('the model call was aborted');
    abort.name = 'AbortError';
    return abort;
  }
  if (err instanceof APIConnectionTimeoutError) {
    return transient('TIMEOUT', `the model endpoint${where} did not answer in time`, { cause: err });
  }
  if (err instanceof APIConnectionError) {
    return transient('LLM_CONNECTION', `could not reach the model endpoint${where}: ${causeMessage(err)}`, { cause: err });
  }
  if (err instanceof APIError && typeof err.status === 'number') {
    const status = err.status;
    const detail = err.message || `HTTP ${status}`;
    if (status === 429) {
      return transient('HTTP_429', `the model endpoint${where} is rate limiting: ${detail}`, {
        cause: err,
        retryAfterMs: retryAfterMs(err.headers),
      });
    }
    if (status === 408 || status === 425 || status >= 500) {
      return transient(`HTTP_${status}`, `the model endpoint${where} failed: ${detail}`, { cause: err });
    }
    const hint = status === 401 ? ' (check the API key: OPENAI_API_KEY or Settings)' : status === 404 ? ' (check the model name and base URL)' : '';
    return permanent(`HTTP_${status}`, `the model endpoint${where} refused the request: ${detail}${hint}`, { cause: err });
  }
  if (err instanceof SyntaxError) {
    // A 200 whose body is not JSON: a proxy or server glitch, worth another attempt.
    return transient('LLM_BAD_RESPONSE', `the model endpoint${where} returned a body that is not JSON: ${err.message}`, { cause: err });
  }
  return err;
}

function causeMessage(err: Error): string {
  const cause = (err as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? `${code} ${cause.message}` : cause.message;
  }
  return err.message;
}

/** `retry-after-ms`, or `retry-after` as seconds or an HTTP date. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  if (!headers) return undefined;
  const ms = Number(headers.get('retry-after-ms'));
  if (headers.get('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  if (Number.isFinite(date)) return Math.max(0, date - now);
  return undefined;
}
