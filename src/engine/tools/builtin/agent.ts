/**
 * `agent.run`: a model with tool calling over an allowed set of tools (built-ins and MCP),
 * bounded by a step count and a token budget. Every inner call goes through
 * `ctx.callTool`, so the policy gate sees it, and is logged on the node.
 */
import { z } from 'zod';
import { Usage } from '../../../contract';
import { permanent } from '../../errors';
import type { LlmMessage, ToolContext, ToolSpec } from '../types';
import { NO_LLM_MESSAGE } from './llm-generate';

export const AgentInput = z
  .object({
    /** What the agent should achieve. `prompt` is accepted as a synonym. */
    goal: z.string().min(1).optional(),
    prompt: z.string().min(1).optional(),
    /** Names of the tools the agent may call, e.g. `["file.read", "mcp.files.*"]` is NOT expanded: list each. */
    tools: z.array(z.string().min(1)).default([]),
    /** Model turns before the agent stops. @default 8 */
    maxSteps: z.number().int().min(1).max(100).default(8),
    /** Token budget (prompt + completion, all turns); the agent stops once it is spent. */
    maxTokens: z.number().int().min(1).optional(),
    system: z.string().optional(),
    /** @default the configured model */
    model: z.string().optional(),
  })
  .refine((v) => v.goal !== undefined || v.prompt !== undefined, { message: 'give "goal" (or "prompt")', path: ['goal'] });
export type AgentInput = z.infer<typeof AgentInput>;

export const AgentStep = z.object({
  tool: z.string(),
  input: z.unknown(),
  output: z.unknown().optional(),
  error: z.string().optional(),
});
export type AgentStep = z.infer<typeof AgentStep>;

export const AgentOutput = z.object({
  /** The final answer, or, when stopped early, why it stopped. */
  text: z.string(),
  /** False when the step limit or token budget stopped the agent before it answered. */
  finished: z.boolean(),
  stopReason: z.enum(['answered', 'max-steps', 'token-budget']),
  steps: z.array(AgentStep),
  usage: Usage,
});
export type AgentOutput = z.infer<typeof AgentOutput>;

const DEFAULT_SYSTEM =
  'You are a careful assistant inside a workflow engine. Use the provided tools when they help; when you have the answer, reply with it as plain text and call no more tools.';

/** Tool results longer than this are cut before they are sent back to the model. */
const MAX_TOOL_RESULT_CHARS = 20_000;

export const agentRunTool: ToolSpec<AgentInput, AgentOutput> = {
  name: 'agent.run',
  title: 'Agent with tools',
  description:
    'A model that calls tools to reach a goal. `goal`: what to do; `tools`: the tool names it may call; `maxSteps` (default 8) and `maxTokens` bound it. Returns the answer and every tool call it made.',
  version: '1',
  input: AgentInput,
  output: AgentOutput,
  // The model endpoint is the person's own configuration (see llm.generate); every tool the
  // agent calls goes through the policy gate on its own, with its own effects.
  effects: 'pure',
  // Stays in the control plane in queue mode: nested tool calls and approvals go through the control plane.
  placement: 'local',
  timeoutMs: 600_000,
  source: 'builtin',
  async run(input, ctx) {
    const llm = ctx.llm;
    if (!llm) throw permanent('NO_LLM', `agent.run: ${NO_LLM_MESSAGE}`);
    const offered = describeAllowedTools(input.tools, ctx);

    const messages: LlmMessage[] = [
      { role: 'system', content: input.system ?? DEFAULT_SYSTEM },
      { role: 'user', content: (input.goal ?? input.prompt)! },
    ];
    const steps: AgentStep[] = [];
    const usage = { promptTokens: 0, completionTokens: 0, costUsd: 0 };
    let lastText = '';

    for (let turn = 0; turn < input.maxSteps; turn++) {
      if (input.maxTokens !== undefined && usage.promptTokens + usage.completionTokens >= input.maxTokens) {
        return stopped('token-budget', `Agent stopped: the token budget (${input.maxTokens}) was spent after ${turn} model turns, before a final answer.`);
      }
      const res = await llm.chat(
        {
          messages,
          model: input.model,
          tools: offered.length ? offered.map((t) => ({ name: t.wireName, description: t.description, parameters: t.parameters })) : undefined,
        },
        ctx.signal,
      );
      usage.promptTokens += res.usage.promptTokens;
      usage.completionTokens += res.usage.completionTokens;
      usage.costUsd += res.usage.costUsd;
      ctx.reportUsage(res.usage, res.model);
      lastText = res.content ?? lastText;

      if (res.toolCalls.length === 0) {
        return { text: res.content ?? '', finished: true, stopReason: 'answered' as const, steps, usage };
      }
      messages.push({
        role: 'assistant',
        content: res.content,
        tool_calls: res.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.arguments } })),
      });
      for (const call of res.toolCalls) {
        const reply = await runToolCall(call, offered, steps, ctx);
        messages.push({ role: 'tool', tool_call_id: call.id, content: reply });
      }
    }
    return stopped(
      'max-steps',
      `Agent stopped: reached the step limit (${input.maxSteps} model turns) before a final answer.${lastText ? ` Last message: ${lastText}` : ''}`,
    );

    function stopped(reason: 'max-steps' | 'token-budget', text: string): AgentOutput {
      ctx.log('warn', text);
      return { text, finished: false, stopReason: reason, steps, usage };
    }
  },
};

interface OfferedTool {
  /** The registry name (`file.read`). */
  name: string;
  /** The function name the model sees: OpenAI allows only `[a-zA-Z0-9_-]{1,64}`. */
  wireName: string;
  description: string;
  parameters: Record<string, unknown>;
}

function describeAllowedTools(names: string[], ctx: ToolContext): OfferedTool[] {
  const used = new Set<string>();
  const out: OfferedTool[] = [];
  for (const name of [...new Set(names)]) {
    if (name === 'agent.run') throw permanent('AGENT_RECURSION', 'agent.run: an agent may not call agent.run (nested agents are unbounded)');
    const described = ctx.describeTool?.(name);
    if (ctx.describeTool && !described) throw permanent('UNKNOWN_TOOL', `agent.run: "tools" names "${name}", which is not a registered tool`);
    let wireName = name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 60);
    for (let i = 2; used.has(wireName); i++) wireName = `${wireName.slice(0, 58)}_${i}`;
    used.add(wireName);
    const { $schema: _ignored, ...parameters } = described?.inputSchema ?? { type: 'object', additionalProperties: true };
    out.push({ name, wireName, description: described?.description ?? name, parameters });
  }
  return out;
}

/** Runs one tool call the model asked for; returns the text sent back to the model. */
async function runToolCall(
  call: { id: string; name: string; arguments: string },
  offered: OfferedTool[],
  steps: AgentStep[],
  ctx: ToolContext,
): Promise<string> {
  const tool = offered.find((t) => t.wireName === call.name || t.name === call.name);
  if (!tool) {
    const error = `tool "${call.name}" is not available; available: ${offered.map((t) => t.wireName).join(', ') || 'none'}`;
    steps.push({ tool: call.name, input: call.arguments, error });
    ctx.log('warn', `agent asked for ${call.name}: ${error}`);
    return JSON.stringify({ error });
  }
  let args: unknown;
  try {
    args = call.arguments.trim() ? JSON.parse(call.arguments) : {};
  } catch (e) {
    const error = `the arguments are not valid JSON: ${(e as Error).message}`;
    steps.push({ tool: tool.name, input: call.arguments, error });
    ctx.log('warn', `agent call ${tool.name}: ${error}`);
    return JSON.stringify({ error });
  }
  ctx.log('info', `agent calls ${tool.name}`, { input: args });
  try {
    const output = await ctx.callTool(tool.name, args);
    steps.push({ tool: tool.name, input: args, output });
    ctx.log('info', `agent call ${tool.name} succeeded`, { output });
    const text = JSON.stringify(output ?? null);
    return text.length > MAX_TOOL_RESULT_CHARS ? `${text.slice(0, MAX_TOOL_RESULT_CHARS)}… [cut at ${MAX_TOOL_RESULT_CHARS} characters]` : text;
  } catch (e) {
    // Cancellation and node timeouts end the agent; other failures go back to the model to adapt.
    if (ctx.signal.aborted) throw e;
    const error = e instanceof Error ? e.message : String(e);
    steps.push({ tool: tool.name, input: args, error });
    ctx.log('warn', `agent call ${tool.name} failed: ${error}`);
    return JSON.stringify({ error });
  }
}
