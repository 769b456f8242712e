/**
 * `map` nodes: one tool over each item of a list, with bounded concurrency, results in
 * item order. A failed item is reported (null result + an entry in `errors`); the node
 * fails only when every item fails, or on the first failure with `failFast`.
 */
import { z } from 'zod';
import { formatIssues } from '../../tools/issues';
import { classifyError, permanent, ToolError } from '../../errors';
import { resolveBindings, type TemplateScope } from '../../workflow/templates';
import type { KindRun } from './types';

/** Items run at once inside one map node. @default 4 */
export const DEFAULT_MAP_CONCURRENCY = 4;

export const MapSettings = z.object({
  items: z.unknown(),
  /** Per-item input; `{{item…}}` and `{{index}}` refer to the current item. @default the item itself */
  with: z.unknown().optional(),
  concurrency: z.number().int().min(1).max(256).default(DEFAULT_MAP_CONCURRENCY),
  /** Stop at the first failed item and fail the node. @default false */
  failFast: z.boolean().default(false),
});

export interface MapOutput {
  results: unknown[];
  errors: { index: number; message: string }[];
  succeeded: number;
  failed: number;
}

export interface MapRun {
  nodeId: string;
  /** The node's inputs, resolved except for item references. */
  resolved: Record<string, unknown>;
  scope: TemplateScope;
  /** Calls the tool for one item; `signal` aborts it when a failFast map stops early. */
  callItem(input: unknown, index: number, signal: AbortSignal): Promise<unknown>;
  log(level: 'info' | 'warn', message: string): void;
  /** The run's cancel signal: a cancelled run ends the map at once. */
  cancelSignal: AbortSignal;
}

export async function runMap(run: MapRun): Promise<MapOutput> {
  const parsed = MapSettings.safeParse(run.resolved);
  if (!parsed.success) throw permanent('BAD_INPUT', `map node "${run.nodeId}": ${formatIssues(parsed.error.issues, 'inputs')}`);
  const { items, with: withBinding, concurrency, failFast } = parsed.data;
  if (!Array.isArray(items)) {
    throw permanent('BAD_INPUT', `map node "${run.nodeId}": inputs.items must resolve to a list, got ${items === null ? 'null' : typeof items}`);
  }
  const results: unknown[] = new Array(items.length).fill(null);
  const errors: { index: number; message: string; transient: boolean }[] = [];
  const stop = new AbortController();
  let next = 0;

  const worker = async () => {
    while (next < items.length && !stop.signal.aborted && !run.cancelSignal.aborted) {
      const index = next++;
      try {
        const input = withBinding === undefined ? items[index] : resolveBindings(withBinding, { ...run.scope, item: items[index], index });
        results[index] = await run.callItem(input, index, stop.signal);
      } catch (e) {
        if (run.cancelSignal.aborted) throw run.cancelSignal.reason;
        if (stop.signal.aborted && e === stop.signal.reason) continue; // stopped by failFast, not its own failure
        const err = classifyError(e);
        errors.push({ index, message: err.message, transient: err.class === 'transient' });
        run.log('warn', `item ${index} failed: ${err.message}`);
        if (failFast) stop.abort(new ToolError(err.class === 'transient' ? 'transient' : 'permanent', 'MAP_ITEM_FAILED', `map node "${run.nodeId}": item ${index} failed (failFast): ${err.message}`));
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));

  if (stop.signal.aborted) throw stop.signal.reason;
  errors.sort((a, b) => a.index - b.index);
  if (items.length > 0 && errors.length === items.length) {
    const allTransient = errors.every((e) => e.transient);
    throw new ToolError(allTransient ? 'transient' : 'permanent', 'MAP_ALL_FAILED', `map node "${run.nodeId}": all ${items.length} items failed; first: ${errors[0].message}`);
  }
  if (errors.length) run.log('warn', `${errors.length} of ${items.length} items failed`);
  return {
    results,
    errors: errors.map(({ index, message }) => ({ index, message })),
    succeeded: items.length - errors.length,
    failed: errors.length,
  };
}

/** A map node: its tool over each item, each call through the policy gate with its own idempotency key. */
export const runMapNode: KindRun = async (ctx) => {
  const output = await runMap({
    nodeId: ctx.node.id,
    resolved: ctx.input,
    scope: ctx.scope,
    log: ctx.log,
    cancelSignal: ctx.cancelSignal,
    callItem: async (input, index, signal) => (await ctx.callTool(input, { index, signal })).output,
  });
  return { output, truncated: false };
};
