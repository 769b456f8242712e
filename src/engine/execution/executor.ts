/**
 * Where a node's tool runs. The scheduler decides *what* is ready; an Executor decides
 * *where* it executes (DESIGN.md §4). In-process is the only executor today; a distributed
 * one (Temporal activities, or BullMQ jobs on Redis) would implement this same interface,
 * receiving the tool name, the validated-at-the-boundary input and the idempotency key.
 */
import { invokeTool } from '../tools/invoke';
import type { ToolContext, ToolSpec } from '../tools/types';

export interface Executor {
  /** Runs one tool call: input validated, tool run under `ctx.signal`, output validated and capped. */
  execute(spec: ToolSpec, input: unknown, ctx: ToolContext): Promise<{ output: unknown; truncated: boolean }>;
}

/** Runs tools in this process. */
export const inProcessExecutor: Executor = {
  execute: (spec, input, ctx) => invokeTool(spec, input, ctx),
};
