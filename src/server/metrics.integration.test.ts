/**
 * `GET /metrics` on `awe serve` after real runs: the text parses as Prometheus exposition
 * (with a parser, not a regex) and each counter moved by exactly what the runs did.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { permanent, transient } from '../engine/errors';
import { histogramCount, scrape as scrapeUrl, type Scrape } from '../engine/observe/prometheus-scrape.testkit';
import type { ToolSpec } from '../engine/tools/types';
import { startMetricsServer } from './metrics-server';
import { useTestServer } from './test-engine.testkit';

const tool = (name: string, run: ToolSpec['run']): ToolSpec => ({ name, title: name, description: name, version: '1', input: z.any(), output: z.any(), effects: 'pure', run });
let flakyCalls = 0;
const tools = [
  // Fails once with a transient 503, then succeeds: one retry.
  tool('test.flaky', async () => {
    if (++flakyCalls % 2 === 1) throw transient('HTTP_503', 'upstream unavailable');
    return { ok: true };
  }),
  tool('test.broken', async () => {
    throw permanent('HTTP_404', 'not there');
  }),
  tool('test.model', async (_input, ctx) => {
    ctx.reportUsage({ promptTokens: 120, completionTokens: 30, costUsd: 0.0045 }, 'gpt-test');
    return { text: 'done' };
  }),
];

const workflow = {
  id: 'mixed',
  name: 'Mixed',
  nodes: [
    { id: 'ask', kind: 'tool', tool: 'test.model', inputs: {} },
    { id: 'flaky', kind: 'tool', tool: 'test.flaky', inputs: {}, retry: { max: 2, baseMs: 1 } },
    { id: 'broken', kind: 'tool', tool: 'test.broken', inputs: {}, retry: { max: 2, baseMs: 1 } },
    { id: 'greet', kind: 'tool', tool: 'text.template', inputs: { template: 'hi' }, cache: true },
  ],
  edges: [],
};

const server = useTestServer({}, { extraTools: tools });

const scrape = (): Promise<Scrape> => scrapeUrl(`${server.url}/metrics`, { headers: { authorization: `Bearer ${server.token}` } });

/** The value of one sample (counter/gauge), or an unlabelled histogram's count; 0 when absent. */
function value(families: Scrape, name: string, labels: Record<string, string> = {}): number {
  const family = families.find((f) => f.name === name);
  if (!family) throw new Error(`no metric ${name}`);
  if (family.type === 'HISTOGRAM' && Object.keys(labels).length) return histogramCount(families, name, labels);
  const sample = family.metrics.find((m) => Object.entries(labels).every(([k, v]) => m.labels?.[k] === v));
  if (!sample) return 0;
  return Number(sample.value ?? sample.count);
}

describe('GET /metrics', () => {
  it('needs the token like the API', async () => {
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
  });

  it('counts a run with a success, a retry, a dead letter, tokens, cost and a cache hit exactly', async () => {
    const before = await scrape();
    const first = server.engine.startRun(server.engine.validate(workflow).workflow!);
    await first.done.catch(() => undefined);
    const after = await scrape();
    const moved = (name: string, labels: Record<string, string> = {}) => value(after, name, labels) - value(before, name, labels);

    expect(moved('awe_runs_started_total')).toBe(1);
    expect(moved('awe_runs_finished_total', { status: 'failed' })).toBe(1);
    expect(moved('awe_runs_finished_total', { status: 'succeeded' })).toBe(0);
    expect(moved('awe_run_duration_seconds', { status: 'failed' })).toBe(1);
    // flaky: one attempt retried, one succeeded; broken: failed at once (permanent); greet and ask succeeded.
    expect(moved('awe_node_executions_total', { tool: 'test.flaky', status: 'retrying' })).toBe(1);
    expect(moved('awe_node_executions_total', { tool: 'test.flaky', status: 'succeeded' })).toBe(1);
    expect(moved('awe_node_executions_total', { tool: 'test.broken', status: 'failed' })).toBe(1);
    expect(moved('awe_node_executions_total', { tool: 'text.template', status: 'succeeded' })).toBe(1);
    expect(moved('awe_node_duration_seconds', { tool: 'test.flaky' })).toBe(2);
    expect(moved('awe_node_retries_total', { code: 'HTTP_503' })).toBe(1);
    expect(moved('awe_dead_letters_total')).toBe(1);
    expect(moved('awe_cache_hits_total')).toBe(0);
    expect(moved('awe_llm_tokens_total', { model: 'gpt-test', direction: 'input' })).toBe(120);
    expect(moved('awe_llm_tokens_total', { model: 'gpt-test', direction: 'output' })).toBe(30);
    expect(moved('awe_llm_cost_usd_total', { model: 'gpt-test' })).toBeCloseTo(0.0045, 10);
    // Process and event-loop metrics come with it.
    expect(after.some((f) => f.name === 'nodejs_eventloop_lag_seconds')).toBe(true);
    expect(after.some((f) => f.name === 'process_cpu_seconds_total')).toBe(true);
    // Never a run id or node id as a label.
    const labelNames = new Set(after.filter((f) => f.name.startsWith('awe_')).flatMap((f) => f.metrics.flatMap((m) => Object.keys(m.labels ?? {}))));
    for (const label of labelNames) expect(['code', 'direction', 'le', 'model', 'status', 'tool', 'server', 'state']).toContain(label);

    // The same workflow again: greet comes from the cache.
    const second = server.engine.startRun(server.engine.validate(workflow).workflow!);
    await second.done.catch(() => undefined);
    const third = await scrape();
    expect(value(third, 'awe_cache_hits_total') - value(after, 'awe_cache_hits_total')).toBe(1);
    expect(value(third, 'awe_node_executions_total', { tool: 'text.template', status: 'succeeded' }) - value(after, 'awe_node_executions_total', { tool: 'text.template', status: 'succeeded' })).toBe(0);
  });

  it('counts an approval while it waits and its wait once answered', async () => {
    const doc = { id: 'gate', name: 'Gate', nodes: [{ id: 'ok', kind: 'approval', inputs: { message: 'go?' } }], edges: [] };
    const before = await scrape();
    const handle = server.engine.startRun(server.engine.validate(doc).workflow!);
    for (let i = 0; i < 200 && server.engine.runView(handle.runId)?.nodes.ok?.status !== 'waiting'; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 50)); // the waiting events reach subscribers on the next tick
    const waiting = await scrape();
    expect(value(waiting, 'awe_approvals_waiting') - value(before, 'awe_approvals_waiting')).toBe(1);
    server.engine.approve(handle.runId, 'ok', true);
    await handle.done;
    const after = await scrape();
    expect(value(after, 'awe_approvals_waiting')).toBe(value(before, 'awe_approvals_waiting'));
    expect(value(after, 'awe_approval_wait_seconds') - value(before, 'awe_approval_wait_seconds')).toBe(1);
  });

  it('is served alone on a loopback port without a token (--metrics-port)', async () => {
    const alone = await startMetricsServer(server.engine, 0);
    try {
      expect(alone.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect((await scrapeUrl(alone.url)).some((f) => f.name === 'awe_runs_started_total')).toBe(true);
      expect((await fetch(alone.url.replace('/metrics', '/api/runs'))).status).toBe(404);
    } finally {
      await alone.close();
    }
  });
});
