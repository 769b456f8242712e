import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ToolError, classifyError } from '../errors';
import { capOutput, invokeTool } from './invoke';
import { testToolContext } from './tool-context.testkit';
import type { ToolSpec } from './types';

function echoTool(output: (input: any) => unknown, inputSchema: z.ZodType = z.object({ ms: z.number(), tags: z.array(z.string()).default([]) })): ToolSpec {
  return {
    name: 'test.echo',
    title: 'Echo',
    description: 'returns what it is told',
    version: '1',
    input: inputSchema,
    output: z.object({ text: z.string() }).loose(),
    effects: 'pure',
    run: async (input) => output(input) as any,
  };
}

async function rejection(p: Promise<unknown>): Promise<ToolError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ToolError);
    return e as ToolError;
  }
  throw new Error('expected the call to fail');
}

describe('invokeTool', () => {
  it('runs the tool with the parsed input (defaults applied)', async () => {
    const spec = echoTool((input) => ({ text: JSON.stringify(input) }));
    const { output, truncated } = await invokeTool(spec, { ms: 5 }, testToolContext());
    expect(output).toEqual({ text: '{"ms":5,"tags":[]}' });
    expect(truncated).toBe(false);
  });

  it('rejects bad input as a permanent error naming every bad field, without running the tool', async () => {
    let ran = false;
    const spec = echoTool(() => ((ran = true), { text: '' }));
    const err = await rejection(invokeTool(spec, { ms: 'soon', tags: ['a', 3] }, testToolContext()));
    expect(err.code).toBe('SCHEMA_INPUT');
    expect(classifyError(err).class).toBe('permanent');
    expect(err.message).toContain('input.ms: should be a number, not a text');
    expect(err.message).toContain('input.tags[1]: should be a text, not a number');
    expect(ran).toBe(false);
  });

  it('says which field is missing', async () => {
    const err = await rejection(invokeTool(echoTool(() => ({ text: '' })), {}, testToolContext()));
    expect(err.message).toContain('input.ms: is required');
  });

  it('rejects an output that breaks the tool’s own contract', async () => {
    const spec = echoTool(() => ({ text: 42 }));
    const err = await rejection(invokeTool(spec, { ms: 1 }, testToolContext()));
    expect(err.code).toBe('SCHEMA_OUTPUT');
    expect(err.class).toBe('permanent');
    expect(err.message).toContain('output.text: should be a text, not a number');
  });

  it('lets the tool’s own errors through unchanged (the scheduler classifies them)', async () => {
    const spec = echoTool(() => {
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    });
    await expect(invokeTool(spec, { ms: 1 }, testToolContext())).rejects.toThrow('socket hang up');
  });

  it('cuts the longest strings of a too-big output with a visible marker and logs a warning', async () => {
    const big = 'x'.repeat(50_000);
    const spec = echoTool(() => ({ text: big, note: 'short stays', list: ['y'.repeat(30_000)] }));
    const ctx = testToolContext();
    const { output, truncated } = await invokeTool(spec, { ms: 1 }, ctx, { maxOutputBytes: 10_000 });
    expect(truncated).toBe(true);
    const out = output as { text: string; note: string; list: string[] };
    expect(JSON.stringify(out).length).toBeLessThanOrEqual(10_000);
    expect(out.note).toBe('short stays');
    expect(out.text).toMatch(/^x+…\[truncated \d+ bytes\]$/);
    const cutBytes = Number(/truncated (\d+) bytes/.exec(out.text)![1]);
    expect(cutBytes + out.text.indexOf('…')).toBe(50_000);
    expect(out.list[0]).toMatch(/^y+…\[truncated \d+ bytes\]$/);
    expect(ctx.logs.some((l) => l.level === 'warn' && /cut to fit the 10000-byte limit/.test(l.message))).toBe(true);
  });

  it('falls back to a preview when shortening strings cannot fit the limit', async () => {
    const spec = echoTool(() => ({ text: 'ok', numbers: Array.from({ length: 5000 }, (_, i) => i) }));
    const { output, truncated } = await invokeTool(spec, { ms: 1 }, testToolContext(), { maxOutputBytes: 2000 });
    expect(truncated).toBe(true);
    const out = output as { truncated: boolean; preview: string };
    expect(out.truncated).toBe(true);
    expect(out.preview.startsWith('{"text":"ok","numbers":[0,1,2')).toBe(true);
    expect(JSON.stringify(out).length).toBeLessThanOrEqual(2000);
  });

  it('rejects an output that cannot be stored as JSON', async () => {
    const spec = echoTool(() => ({ text: 'ok', big: 10n }));
    const err = await rejection(invokeTool(spec, { ms: 1 }, testToolContext()));
    expect(err.code).toBe('OUTPUT_NOT_JSON');
    expect(err.message).toMatch(/test.echo returned an output that cannot be stored as JSON: .*BigInt/);
  });

  it('leaves outputs under the limit alone', async () => {
    const spec = echoTool(() => ({ text: 'z'.repeat(900) }));
    const ctx = testToolContext();
    const { output, truncated } = await invokeTool(spec, { ms: 1 }, ctx, { maxOutputBytes: 1000 });
    expect(truncated).toBe(false);
    expect((output as { text: string }).text).toHaveLength(900);
    expect(ctx.logs).toEqual([]);
  });
});

describe('capOutput', () => {
  it('counts bytes, not characters, and never splits a character', () => {
    const emoji = '😀'.repeat(2000); // 4 bytes each
    const { output, truncated } = capOutput({ s: emoji }, 1000);
    expect(truncated).toBe(true);
    const s = (output as { s: string }).s;
    expect(new TextEncoder().encode(JSON.stringify(output)).length).toBeLessThanOrEqual(1000);
    expect(s).toMatch(/^(😀)+…\[truncated \d+ bytes\]$/u);
  });

  it('cuts a bare string output too', () => {
    const { output } = capOutput('a'.repeat(5000), 500);
    expect(output).toMatch(/^a+…\[truncated \d+ bytes\]$/);
  });
});
