/**
 * `llm.generate`: one chat completion, optionally with structured (JSON-schema) output
 * that is validated before the node succeeds. Token usage and cost go onto the node run.
 */
import { z } from 'zod';
import { Usage } from '../../../contract';
import { permanent } from '../../errors';
import { checkJsonSchema, parseJsonReply } from '../llm/json';
import type { LlmMessage, ToolSpec } from '../types';

export const LlmGenerateInput = z.object({
  /** The user message (templates are resolved by the engine before the call). */
  prompt: z.string().min(1, 'prompt is empty'),
  /** System message. */
  system: z.string().optional(),
  /** Model name. @default the configured model */
  model: z.string().optional(),
  temperature: z.number().min(0).max(2).optional(),
  maxTokens: z.number().int().min(1).optional(),
  /** JSON Schema of the expected reply: asks for structured output and validates it. */
  schema: z.record(z.string(), z.unknown()).optional(),
});
export type LlmGenerateInput = z.infer<typeof LlmGenerateInput>;

export const LlmGenerateOutput = z.object({
  text: z.string(),
  /** The parsed reply, present when `schema` was given. */
  json: z.unknown().optional(),
  model: z.string(),
  usage: Usage,
});
export type LlmGenerateOutput = z.infer<typeof LlmGenerateOutput>;

export const NO_LLM_MESSAGE =
  'no language model is configured: set OPENAI_API_KEY (and OPENAI_BASE_URL / AWE_LLM_MODEL for Ollama, LM Studio or vLLM), or add a key in Settings';

export const llmGenerateTool: ToolSpec<LlmGenerateInput, LlmGenerateOutput> = {
  name: 'llm.generate',
  title: 'Generate text with a model',
  description:
    'One chat completion with the configured model. Give `prompt` (and optionally `system`). With `schema` (a JSON Schema), the reply is JSON satisfying it, parsed into `json`.',
  version: '1',
  input: LlmGenerateInput,
  output: LlmGenerateOutput,
  // The prompt does leave the machine, but only to the model endpoint the person configured
  // themselves (settings or OPENAI_BASE_URL); asking again before every model node would
  // only train people to click "approve", so the policy gate treats it as pure.
  effects: 'pure',
  timeoutMs: 120_000,
  source: 'builtin',
  async run(input, ctx) {
    if (!ctx.llm) throw permanent('NO_LLM', `llm.generate: ${NO_LLM_MESSAGE}`);
    const messages: LlmMessage[] = [];
    if (input.system) messages.push({ role: 'system', content: input.system });
    messages.push({ role: 'user', content: input.prompt });

    const res = await ctx.llm.chat(
      {
        messages,
        model: input.model,
        temperature: input.temperature,
        maxTokens: input.maxTokens,
        jsonSchema: input.schema ? { name: 'output', schema: input.schema } : undefined,
      },
      ctx.signal,
    );
    ctx.reportUsage(res.usage, res.model);
    ctx.log('info', `model ${res.model}: ${res.usage.promptTokens} prompt + ${res.usage.completionTokens} completion tokens`);

    const text = res.content ?? '';
    if (!input.schema) return { text, model: res.model, usage: res.usage };

    let json: unknown;
    try {
      json = parseJsonReply(text);
    } catch (e) {
      throw permanent('LLM_INVALID_JSON', `llm.generate: the model's reply is not valid JSON (${(e as Error).message}): ${text.slice(0, 200)}`);
    }
    let check;
    try {
      check = checkJsonSchema(input.schema, json);
    } catch (e) {
      throw permanent('BAD_SCHEMA', `llm.generate: the "schema" input is not a usable JSON Schema: ${(e as Error).message}`);
    }
    if (!check.ok) {
      throw permanent('LLM_SCHEMA_MISMATCH', `llm.generate: the model's JSON does not satisfy the schema: ${check.problems.join('; ')}`);
    }
    return { text, json, model: res.model, usage: res.usage };
  },
};
