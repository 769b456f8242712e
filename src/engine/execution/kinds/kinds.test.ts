import { describe, expect, it } from 'vitest';
import { NodeKind, type WorkflowNode } from '../../../contract';
import { kindInfo } from '../../../shared/kinds';
import { KIND_RUNS, type KindRunContext } from './index';

const context = (node: Partial<WorkflowNode> & Pick<WorkflowNode, 'kind'>, input: Record<string, unknown>, runInputs: Record<string, unknown> = {}) => {
  const calls: { input: unknown; item?: number }[] = [];
  const ctx: KindRunContext = {
    node: { id: 'n', inputs: {}, ...node },
    input,
    runInputs,
    scope: { nodes: {}, input: runInputs },
    cancelSignal: new AbortController().signal,
    log: () => {},
    callTool: async (toolInput, item) => {
      calls.push({ input: toolInput, item: item?.index });
      return { output: { got: toolInput }, truncated: false };
    },
  };
  return { ctx, calls };
};

describe('how each kind runs', () => {
  it('has a run for every kind the contract declares', () => {
    expect(Object.keys(KIND_RUNS).sort()).toEqual([...NodeKind.options].sort());
  });

  it('calls the tool once for every kind that names or defaults one, and never for the others', async () => {
    for (const kind of NodeKind.options) {
      if (kind === 'map') continue;
      const { ctx, calls } = context({ kind }, { name: 'x', default: 1, test: true });
      await KIND_RUNS[kind](ctx);
      expect([kind, calls.length]).toEqual([kind, kindInfo(kind).tool.uses === 'none' ? 0 : 1]);
    }
  });

  it('input: the run input it names, else its default, else a permanent error', async () => {
    expect((await KIND_RUNS.input(context({ kind: 'input' }, { name: 'city' }, { city: 'Oslo' }).ctx)).output).toBe('Oslo');
    expect((await KIND_RUNS.input(context({ kind: 'input' }, { name: 'city', default: 'Rome' }).ctx)).output).toBe('Rome');
    await expect(KIND_RUNS.input(context({ kind: 'input' }, { name: 'city' }).ctx)).rejects.toMatchObject({ code: 'MISSING_INPUT', class: 'permanent' });
  });

  it('output and condition: their resolved inputs, and the verdict with the value judged', async () => {
    expect((await KIND_RUNS.output(context({ kind: 'output' }, { report: 'r' }).ctx)).output).toEqual({ report: 'r' });
    expect((await KIND_RUNS.condition(context({ kind: 'condition' }, { test: [] }).ctx)).output).toEqual({ value: [], result: false });
  });

  it('map: one tool call per item, each marked with its index, per-item input resolved', async () => {
    const { ctx, calls } = context({ kind: 'map', tool: 't' }, { items: ['a', 'b'], with: { path: '{{item}}', i: '{{index}}' } });
    const { output } = await KIND_RUNS.map(ctx);
    expect(calls).toEqual([
      { input: { path: 'a', i: 0 }, item: 0 },
      { input: { path: 'b', i: 1 }, item: 1 },
    ]);
    expect(output).toMatchObject({ succeeded: 2, failed: 0, results: [{ got: { path: 'a', i: 0 } }, { got: { path: 'b', i: 1 } }] });
  });
});
