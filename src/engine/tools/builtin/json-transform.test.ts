import { describe, expect, it } from 'vitest';
import { ToolError } from '../../errors';
import { invokeTool } from '../invoke';
import { testToolContext } from '../tool-context.testkit';
import { jsonTransformTool } from './json-transform';

const run = (data: unknown, expression: string, ctx = testToolContext()) => invokeTool(jsonTransformTool, { data, expression }, ctx);

describe('json.transform', () => {
  it('evaluates a JSONata expression', async () => {
    expect((await run({ text: 'Hello' }, '$uppercase(text)')).output).toEqual({ result: 'HELLO' });
  });

  it('filters and reshapes lists into plain JSON arrays', async () => {
    const data = { items: [{ name: 'a', price: 5 }, { name: 'b', price: 15 }, { name: 'c', price: 25 }] };
    const { output } = await run(data, 'items[price > 10].name');
    expect(output).toEqual({ result: ['b', 'c'] });
    expect(Array.isArray((output as { result: unknown }).result)).toBe(true);
  });

  it('gives null when the expression matches nothing', async () => {
    expect((await run({ a: 1 }, 'missing.field')).output).toEqual({ result: null });
  });

  it('rejects an expression that does not compile, with JSONata’s message and position', async () => {
    const err = (await run({}, '$uppercase(text').catch((e: unknown) => e)) as ToolError;
    expect(err).toBeInstanceOf(ToolError);
    expect(err.class).toBe('permanent');
    expect(err.message).toMatch(/input\.expression: invalid JSONata expression: .*position \d+/);
  });

  it('reports evaluation errors as permanent', async () => {
    const err = (await run({ a: 'x' }, 'a + 1').catch((e: unknown) => e)) as ToolError;
    expect(err.code).toBe('JSONATA_EVAL');
    expect(err.class).toBe('permanent');
    expect(err.message).toMatch(/JSONata evaluation failed: .*position/);
  });

  it('stops evaluating when the run is cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(run([1, 2, 3], '$sum($)', testToolContext({ signal: controller.signal }))).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('stops in the middle of an evaluation when the run is cancelled', async () => {
    const controller = new AbortController();
    const data = {
      get first() {
        controller.abort();
        return 1;
      },
      items: [1, 2, 3],
    };
    await expect(run(data, 'first + $sum(items)', testToolContext({ signal: controller.signal }))).rejects.toMatchObject({ name: 'AbortError' });
  });
});
