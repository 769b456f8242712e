/**
 * Runs a workflow one node at a time in topological order with the REAL built-in tools,
 * for planner and example tests that need to know a plan actually works without
 * depending on the scheduler. Conditions skip their untaken branch; approvals are
 * answered by `approve`; map nodes go through the engine's own runMap.
 */
import type { Workflow } from '../../src/contract';
import { toolOf } from '../../src/shared/kinds';
import { buildGraph } from '../../src/shared/graph';
import { runMap } from '../../src/engine/kinds/map';
import { effectiveRunInputs } from '../../src/engine/workflow/inputs';
import { resolveBindings, type TemplateScope } from '../../src/engine/workflow/templates';
import { testToolContext } from '../../src/engine/tools/tool-context.testkit';
import type { ToolContext, ToolSpec } from '../../src/engine/tools/types';

export interface SequentialRun {
  outputs: Record<string, unknown>;
  skipped: string[];
  artifacts: { name: string; content: string }[];
  approvals: string[];
}

export async function runSequentially(
  workflow: Workflow,
  opts: { tools: { get(name: string): ToolSpec | undefined }; workspaceDir: string; inputs?: Record<string, unknown>; approve?: boolean; llm?: ToolContext['llm'] },
): Promise<SequentialRun> {
  const graph = buildGraph(workflow);
  if (graph.cycle) throw new Error(`cycle: ${graph.cycle.join(' → ')}`);
  const byId = new Map(workflow.nodes.map((n) => [n.id, n]));
  const { inputs, problems } = effectiveRunInputs(workflow, opts.inputs ?? {});
  if (problems.length) throw new Error(problems.join('; '));
  const scope: TemplateScope = { nodes: {}, input: inputs };
  const run: SequentialRun = { outputs: {}, skipped: [], artifacts: [], approvals: [] };

  const ctx = (nodeId: string): ToolContext =>
    testToolContext({
      nodeId,
      workspaceDir: opts.workspaceDir,
      llm: opts.llm,
      artifacts: {
        async save(name, content, mime) {
          const text = typeof content === 'string' ? content : Buffer.from(content).toString('utf8');
          run.artifacts.push({ name, content: text });
          return { id: `a${run.artifacts.length}`, runId: 'r', nodeId, name, mime: mime ?? 'text/plain', size: text.length, sha256: '', createdAt: 0 } as never;
        },
      },
      requestApproval: async (message) => {
        run.approvals.push(message);
        return { approved: opts.approve ?? true };
      },
    });

  const call = async (toolName: string, input: unknown, nodeId: string) => {
    const tool = opts.tools.get(toolName);
    if (!tool) throw new Error(`node ${nodeId}: unknown tool ${toolName}`);
    const parsed = tool.input.safeParse(input);
    if (!parsed.success) throw new Error(`node ${nodeId} (${toolName}): bad input: ${parsed.error.message}`);
    return tool.run(parsed.data, ctx(nodeId));
  };

  for (const id of graph.order) {
    const node = byId.get(id)!;
    const blocked = graph.inEdges.get(id)!.some((e) => {
      if (run.skipped.includes(e.source)) return true;
      if (!e.branch) return false;
      return String(Boolean(run.outputs[e.source] && (run.outputs[e.source] as { result: unknown }).result)) !== e.branch;
    });
    if (blocked) {
      run.skipped.push(id);
      continue;
    }
    const resolved = resolveBindings(node.inputs, scope) as Record<string, unknown>;
    let output: unknown;
    if (node.kind === 'condition') output = { result: Boolean(resolved.test) };
    else if (node.kind === 'input') output = inputs[String(resolved.name)] ?? resolved.default;
    else if (node.kind === 'output') output = resolved;
    else if (node.kind === 'map') {
      output = await runMap({
        nodeId: id,
        resolved,
        scope,
        callItem: (input) => call(node.tool!, input, id),
        log: () => {},
        cancelSignal: new AbortController().signal,
      });
    } else {
      const toolName = toolOf(node);
      if (!toolName) throw new Error(`node ${id}: kind ${node.kind} without a tool`);
      output = await call(toolName, resolved, id);
      if (node.kind === 'approval' && !(output as { approved?: boolean }).approved) throw new Error(`node ${id} rejected`);
    }
    run.outputs[id] = output;
    scope.nodes[id] = { output };
  }
  return run;
}
