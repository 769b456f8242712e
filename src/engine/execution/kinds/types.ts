/**
 * How a node kind runs (what a kind *is* — its tool, rules and output shape — is in
 * src/shared/kinds). The node runner resolves the node's input, then hands the kind this
 * context; retries, deadlines, caching and the critic stay the runner's, the same for every kind.
 */
import type { WorkflowNode } from '../../../contract';
import type { TemplateScope } from '../../workflow/templates';

export interface KindOutput {
  output: unknown;
  /** The tool cut its output to fit (recorded on the node's output event). */
  truncated: boolean;
}

export interface KindRunContext {
  node: WorkflowNode;
  /** The node's inputs, templates resolved (a map's item references are left for it to resolve per item). */
  input: Record<string, unknown>;
  /** The run's inputs, by name. */
  runInputs: Record<string, unknown>;
  /** What the node's templates resolve against (a map resolves its per-item input with it). */
  scope: TemplateScope;
  /** The run's cancel signal. */
  cancelSignal: AbortSignal;
  log(level: 'info' | 'warn', message: string): void;
  /**
   * Calls the node's tool with `input` through the policy gate, under the node's deadline.
   * `item` marks one item of a map: its own idempotency key, aborted with `item.signal`.
   */
  callTool(input: unknown, item?: { index: number; signal: AbortSignal }): Promise<KindOutput>;
}

/** Runs one attempt of a node of the kind; throws to fail it (the runner decides on retries). */
export type KindRun = (ctx: KindRunContext) => Promise<KindOutput>;
