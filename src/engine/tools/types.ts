/**
 * The tool contract (DESIGN.md §5). A tool is one file exporting a `ToolSpec`, plus one
 * line registering it (see builtins.ts). Input is validated before `run`, output after;
 * violations are permanent errors naming the field.
 */
import type { z } from 'zod';
import type { Artifact, ToolEffects, ToolPlacement, Usage } from '../../contract';

export type { ToolEffects };

export interface ArtifactSink {
  /**
   * Writes a named artifact for the current run/node; returns its record. With an
   * `idempotencyKey`, saving the same name and bytes again under that key returns the first
   * record instead of a second artifact (a resume after a kill).
   */
  save(name: string, content: string | Uint8Array, mime?: string, options?: { idempotencyKey?: string }): Promise<Artifact>;
}

/** What a chat completion needs; implemented over the `openai` package (llm/). */
export interface LlmChatClient {
  readonly model: string;
  chat(request: LlmChatRequest, signal: AbortSignal): Promise<LlmChatResponse>;
}
export interface LlmMessage {
  role: 'system' | 'user' | 'assistant' | 'tool';
  content: string | null;
  tool_call_id?: string;
  tool_calls?: { id: string; type: 'function'; function: { name: string; arguments: string } }[];
}
export interface LlmChatRequest {
  messages: LlmMessage[];
  model?: string;
  temperature?: number;
  maxTokens?: number;
  /** Structured output: the reply must be JSON satisfying this schema. */
  jsonSchema?: { name: string; schema: Record<string, unknown> };
  tools?: { name: string; description: string; parameters: Record<string, unknown> }[];
}
export interface LlmChatResponse {
  content: string | null;
  toolCalls: { id: string; name: string; arguments: string }[];
  usage: Usage;
  model: string;
  finishReason?: string;
}

export interface ToolContext {
  /** Aborted on cancel and on the node's timeout (which starts when the node starts running). */
  signal: AbortSignal;
  /**
   * Epoch ms at which the call's deadline passes if its clock keeps running (the clock stops
   * while a person is asked). The queue executor sends it with the task: a worker aborts on it
   * even when the control plane that would cancel is gone. Absent for calls with no deadline.
   */
  readonly deadlineAt?: number;
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: unknown): void;
  /**
   * `runId:nodeId:generation` — the same across retries and resumes of one execution. Map items
   * get `…/item<index>` and nested calls (agent.run) `…/call<n>`, so each side effect has its own
   * key. Side-effecting tools use it to apply their effect once (docs/tools.md).
   */
  idempotencyKey: string;
  runId: string;
  nodeId: string;
  /** The folder file tools may use; every path is confined to it. */
  workspaceDir: string;
  artifacts: ArtifactSink;
  /** Present when an LLM endpoint is configured. */
  llm?: LlmChatClient;
  /**
   * W3C trace context of the span this call belongs to, when tracing is on: the queue executor
   * sends it with the task, so a worker's spans continue the run's trace.
   */
  trace?: { traceparent: string; tracestate?: string };
  /** Adds tokens and cost to the node run. */
  reportUsage(usage: Partial<Usage>, model?: string): void;
  /** Pauses until a person answers; the run shows `waiting`. Rejects in headless mode. */
  requestApproval(message: string, details?: { tool?: string; input?: unknown }): Promise<{ approved: boolean; comment?: string }>;
  /** Calls another registered tool through the policy gate (used by `agent.run`). */
  callTool(name: string, input: unknown): Promise<unknown>;
  /** A registered tool's name, description and input JSON Schema (used by `agent.run` to offer tools to the model). */
  describeTool?(name: string): { name: string; description: string; inputSchema: Record<string, unknown> } | undefined;
}

export interface ToolSpec<I = any, O = any> {
  /** Dotted name, e.g. `text.template`, `mcp.files.read_file`. */
  name: string;
  title: string;
  description: string;
  /** Bumped when outputs for the same input change: part of the cache key. */
  version: string;
  input: z.ZodType<I>;
  output: z.ZodType<O>;
  /** JSON Schemas for the catalog/UI/planner. Derived from `input`/`output` when absent. */
  inputJsonSchema?: Record<string, unknown>;
  outputJsonSchema?: Record<string, unknown>;
  effects: ToolEffects;
  /** Default per-attempt deadline. @default 60000 */
  timeoutMs?: number;
  /** `builtin` or the MCP server's name. */
  source?: string;
  annotations?: Record<string, unknown>;
  /**
   * Where it may run in queue mode (`awe run|serve --queue`): `local` in the control plane only
   * (it needs approvals, nested calls or the artifact store), `remote`/`any` on an `awe worker`.
   * @default `any` for builtins, `local` for MCP tools (their servers are configured on the control plane)
   */
  placement?: ToolPlacement;
  run(input: I, ctx: ToolContext): Promise<O>;
}
