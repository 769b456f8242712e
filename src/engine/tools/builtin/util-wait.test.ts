import { describe, expect, it } from 'vitest';
import { classifyError } from '../../errors';
import { invokeTool } from '../invoke';
import { testToolContext } from '../tool-context.testkit';
import { utilWaitTool } from './util-wait';

describe('util.wait', () => {
  it('waits and reports how long', async () => {
    const { output } = await invokeTool(utilWaitTool, { ms: 5 }, testToolContext());
    expect((output as { waitedMs: number }).waitedMs).toBeGreaterThanOrEqual(5);
  });

  it('ends an hour-long wait as soon as the run is cancelled, as an abort', async () => {
    const controller = new AbortController();
    const pending = invokeTool(utilWaitTool, { ms: 3_600_000 }, testToolContext({ signal: controller.signal }));
    setTimeout(() => controller.abort(), 5);
    const err = await pending.then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err?.name).toBe('AbortError');
    expect(classifyError(err).class).toBe('cancelled');
  });

  it('does not start when already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(invokeTool(utilWaitTool, { ms: 1000 }, testToolContext({ signal: controller.signal }))).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('refuses waits that are negative, fractional or over an hour', async () => {
    for (const ms of [-1, 1.5, 3_600_001]) {
      await expect(invokeTool(utilWaitTool, { ms }, testToolContext())).rejects.toMatchObject({ code: 'SCHEMA_INPUT' });
    }
  });
});
