/**
 * A ToolContext for running one tool outside the scheduler: logs, usage and inner tool
 * calls are recorded so tests can assert them. Inner calls validate input with the
 * called tool's zod schema, like the engine does.
 */
import { z } from 'zod';
import { formatIssues, type Usage } from '../../src/contract';
import { permanent } from '../../src/engine/errors';
import type { LlmChatClient, ToolContext, ToolSpec } from '../../src/engine/tools/types';

export interface ToolHarness {
  ctx: ToolContext;
  logs: { level: string; message: string; data?: unknown }[];
  usage: { usage: Partial<Usage>; model?: string }[];
  calls: { name: string; input: unknown }[];
}

export function toolHarness(opts: { llm?: LlmChatClient; tools?: ToolSpec[]; signal?: AbortSignal } = {}): ToolHarness {
  const logs: ToolHarness['logs'] = [];
  const usage: ToolHarness['usage'] = [];
  const calls: ToolHarness['calls'] = [];
  const registry = new Map((opts.tools ?? []).map((t) => [t.name, t]));
  const ctx: ToolContext = {
    signal: opts.signal ?? new AbortController().signal,
    log: (level, message, data) => logs.push({ level, message, data }),
    idempotencyKey: 'run1:node1:1',
    runId: 'run1',
    nodeId: 'node1',
    workspaceDir: '/nonexistent-workspace',
    artifacts: {
      save: () => Promise.reject(new Error('artifacts are not available in this harness')),
    },
    llm: opts.llm,
    reportUsage: (u, model) => usage.push({ usage: u, model }),
    requestApproval: () => Promise.reject(new Error('approvals are not available in this harness')),
    async callTool(name, input) {
      calls.push({ name, input });
      const tool = registry.get(name);
      if (!tool) throw permanent('UNKNOWN_TOOL', `unknown tool ${name}`);
      const parsed = tool.input.safeParse(input);
      if (!parsed.success) throw permanent('INVALID_INPUT', `${name}: ${formatIssues(parsed.error.issues, 'input')}`);
      return tool.run(parsed.data, ctx);
    },
    describeTool(name) {
      const tool = registry.get(name);
      return tool ? { name, description: tool.description, inputSchema: z.toJSONSchema(tool.input, { io: 'input' }) as Record<string, unknown> } : undefined;
    },
  };
  return { ctx, logs, usage, calls };
}
