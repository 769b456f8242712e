/**
 * Traces of a real run, exported over OTLP/HTTP (JSON) to a receiver in this test on
 * 127.0.0.1, configured the standard way (OTEL_EXPORTER_OTLP_ENDPOINT): the tree run →
 * node attempts → network/MCP tool calls and LLM calls, and the attributes on each, including the token
 * counts of an LLM node against the scripted OpenAI-compatible server.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { completion, startScriptedOpenAI, type ScriptedOpenAI } from '../../../tests/support/scripted-openai';
import { createEngine } from '../engine';
import { transient } from '../errors';
import { createLlmClient } from '../tools/llm/client';
import type { ToolSpec } from '../tools/types';
import { attr, printTree, startReceiver, type OtlpSpan } from './otlp-receiver.testkit';
import { tracingFromEnv } from './tracing-switch';

/** A fresh data folder, removed after the file's tests. */
const dataDirs: string[] = [];
const dataDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  dataDirs.push(dir);
  return dir;
};

let receiver: Awaited<ReturnType<typeof startReceiver>>;
let openai: ScriptedOpenAI;
const saved = { ...process.env };
beforeAll(async () => {
  receiver = await startReceiver();
  openai = await startScriptedOpenAI();
});
afterAll(async () => {
  process.env = saved;
  await receiver.close();
  await openai.close();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

let calls = 0;
const flaky: ToolSpec = {
  name: 'test.flaky', title: 'flaky', description: 'fails once', version: '1', input: z.any(), output: z.any(), effects: 'network',
  run: async () => {
    if (++calls === 1) throw transient('HTTP_503', 'upstream unavailable');
    return { ok: true };
  },
};

describe('tracing', () => {
  it('is off without an OTLP endpoint, and with OTEL_SDK_DISABLED or OTEL_TRACES_EXPORTER=none', () => {
    expect(tracingFromEnv({})).toBeUndefined();
    expect(tracingFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_SDK_DISABLED: 'true' })).toBeUndefined();
    expect(tracingFromEnv({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318', OTEL_TRACES_EXPORTER: 'none' })).toBeUndefined();
    expect(tracingFromEnv({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' })?.spanProcessors).toHaveLength(1);
  });

  it('exports run → node attempts → tool and LLM calls over OTLP/HTTP, with GenAI token counts', async () => {
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT = receiver.url;
    process.env.OTEL_SERVICE_NAME = 'awe-under-test';
    openai.enqueue(completion({ content: 'A short draft', model: 'test-model', promptTokens: 42, completionTokens: 7 }));
    const engine = createEngine({
      dataDir: dataDir('awe-traces-'),
      extraTools: [flaky],
      allow: ['test.flaky'],
      llm: createLlmClient({ baseUrl: openai.baseUrl, apiKey: 'k', model: 'test-model', prices: { 'test-model': { prompt: 1, completion: 2 } } }),
    });
    const doc = {
      id: 'traced',
      name: 'Traced',
      nodes: [
        { id: 'draft', kind: 'llm', inputs: { prompt: 'Write a draft' } },
        { id: 'fetch', kind: 'tool', tool: 'test.flaky', inputs: {}, retry: { max: 2, baseMs: 1 } },
        { id: 'join', kind: 'tool', tool: 'text.template', inputs: { template: '{{nodes.draft.output.text}}' } },
      ],
      edges: [
        { id: 'e1', source: 'draft', target: 'join' },
        { id: 'e2', source: 'fetch', target: 'join' },
      ],
    };
    const handle = engine.startRun(engine.validate(doc).workflow!);
    const view = await handle.done;
    expect(view.status).toBe('succeeded');
    await engine.close(); // flushes the batch processor

    expect(receiver.paths.every((p) => p.startsWith('POST /v1/traces application/json'))).toBe(true);
    const spans = receiver.spans;
    console.log(`span tree received by the OTLP receiver:\n${printTree(spans)}`);
    expect(new Set(spans.map((s) => s.traceId)).size).toBe(1);
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const parentOf = (s: OtlpSpan) => (s.parentSpanId ? byId.get(s.parentSpanId) : undefined);

    const [run] = spans.filter((s) => !s.parentSpanId);
    expect(run.name).toBe('run Traced');
    expect(attr(run, 'awe.run.id')).toBe(handle.runId);
    expect(attr(run, 'awe.run.status')).toBe('succeeded');

    const attempts = spans.filter((s) => s.name.startsWith('node '));
    expect(attempts.every((s) => parentOf(s) === run)).toBe(true);
    expect(attempts.map((s) => `${s.name}#${String(attr(s, 'awe.node.attempt'))}`).sort()).toEqual(['node draft#1', 'node fetch#1', 'node fetch#2', 'node join#1']);
    const fetch1 = attempts.find((s) => s.name === 'node fetch' && attr(s, 'awe.node.attempt') === 1)!;
    expect(attr(fetch1, 'error.type')).toBe('HTTP_503');
    expect(attr(fetch1, 'awe.error.class')).toBe('transient');
    expect(fetch1.status?.code).toBe(2); // ERROR
    expect(fetch1.events?.map((e) => e.name)).toContain('awe.retry');
    const fetch2 = attempts.find((s) => s.name === 'node fetch' && attr(s, 'awe.node.attempt') === 2)!;
    expect(attr(fetch2, 'awe.node.status')).toBe('succeeded');
    expect(attr(fetch2, 'awe.node.tool')).toBe('test.flaky');
    expect(attr(fetch2, 'awe.node.reason')).toBe('retry');

    const draft = attempts.find((s) => s.name === 'node draft')!;
    expect([attr(draft, 'awe.node.kind'), attr(draft, 'awe.node.tool'), attr(draft, 'awe.node.generation'), attr(draft, 'awe.cache.hit')]).toEqual(['llm', 'llm.generate', 0, false]);
    expect([attr(draft, 'gen_ai.usage.input_tokens'), attr(draft, 'gen_ai.usage.output_tokens')]).toEqual([42, 7]);
    expect(attr(draft, 'awe.cost_usd')).toBeCloseTo((42 * 1 + 7 * 2) / 1e6, 12);
    // llm.generate runs in-process: its chat call hangs straight under the attempt.
    expect(spans.some((s) => s.name === 'tool llm.generate')).toBe(false);
    const chat = spans.find((s) => s.name === 'chat test-model')!;
    expect(parentOf(chat)).toBe(draft);
    expect(chat.kind).toBe(3); // CLIENT
    expect([attr(chat, 'gen_ai.operation.name'), attr(chat, 'gen_ai.request.model'), attr(chat, 'gen_ai.usage.input_tokens'), attr(chat, 'gen_ai.usage.output_tokens')]).toEqual(['chat', 'test-model', 42, 7]);
    // Calls that leave the process (a network tool) get their own span, under their own attempt.
    const fetchTools = spans.filter((s) => s.name === 'tool test.flaky');
    expect(fetchTools.map((s) => s.parentSpanId).sort()).toEqual([fetch1.spanId, fetch2.spanId].sort());
  }, 60_000);

  it('follows Settings while the engine runs: on, to another endpoint (with its auth header), off', async () => {
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    const other = await startReceiver();
    const engine = createEngine({ dataDir: dataDir('awe-traces-settings-') });
    const doc = { id: 'switched', name: 'Switched', nodes: [{ id: 'say', kind: 'tool', tool: 'text.template', inputs: { template: 'hi' } }], edges: [] };
    const run = async () => {
      const handle = engine.startRun(engine.validate(doc).workflow!);
      expect((await handle.done).status).toBe('succeeded');
      return handle.runId;
    };
    const runSpans = (r: { spans: OtlpSpan[] }) => r.spans.filter((s) => s.name === 'run Switched').map((s) => attr(s, 'awe.run.id'));
    try {
      const before = receiver.spans.length;
      await run(); // off: no endpoint anywhere
      const first = engine.updateSettings({ observability: { otlpEndpoint: receiver.url } });
      expect(first.observability).toMatchObject({ source: 'settings', otlpEndpoint: receiver.url });
      const onFirst = await run();
      // Another endpoint: the first exporter is flushed as it is swapped out.
      engine.updateSettings({ observability: { otlpEndpoint: other.url, otlpHeaders: 'authorization=Bearer team-token' } });
      await expect.poll(() => runSpans({ spans: receiver.spans.slice(before) })).toEqual([onFirst]);
      const onOther = await run();
      engine.updateSettings({ observability: { otlpEndpoint: '' } });
      await expect.poll(() => runSpans(other)).toEqual([onOther]);
      expect(other.headers.every((h) => h.authorization === 'Bearer team-token')).toBe(true);
      await run(); // off again
      await engine.close();
      expect(runSpans({ spans: receiver.spans.slice(before) })).toEqual([onFirst]);
      expect(runSpans(other)).toEqual([onOther]);
      // The attempt span of each traced run hangs under its run.
      const run2 = other.spans.find((s) => s.name === 'run Switched')!;
      expect(other.spans.find((s) => s.name === 'node say')?.parentSpanId).toBe(run2.spanId);
    } finally {
      await other.close();
    }
  }, 60_000);

  it('a run open while the endpoint changes keeps its tree: it ends at the new endpoint, whole', async () => {
    delete process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    const [first, second] = [await startReceiver(), await startReceiver()];
    const engine = createEngine({ dataDir: dataDir('awe-traces-swap-'), interactive: true });
    try {
      engine.updateSettings({ observability: { otlpEndpoint: first.url } });
      const doc = {
        id: 'gated',
        name: 'Gated',
        nodes: [
          { id: 'gate', kind: 'approval', inputs: { message: 'go?' } },
          { id: 'after', kind: 'tool', tool: 'text.template', inputs: { template: 'done' } },
        ],
        edges: [{ id: 'e', source: 'gate', target: 'after' }],
      };
      const handle = engine.startRun(engine.validate(doc).workflow!);
      await expect.poll(() => engine.runView(handle.runId)?.nodes.gate?.status).toBe('waiting');
      engine.updateSettings({ observability: { otlpEndpoint: second.url } });
      engine.approve(handle.runId, 'gate', true);
      expect((await handle.done).status).toBe('succeeded');
      await engine.close();
      // Started under the first exporter, ended under the second: every span goes where it ended.
      expect(first.spans).toEqual([]);
      const run = second.spans.find((s) => s.name === 'run Gated')!;
      expect(second.spans.map((s) => s.name).sort()).toEqual(['node after', 'node gate', 'run Gated']);
      expect(second.spans.filter((s) => s !== run).every((s) => s.parentSpanId === run.spanId && s.traceId === run.traceId)).toBe(true);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  }, 60_000);
});
