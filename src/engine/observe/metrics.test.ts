import { describe, expect, it } from 'vitest';
import type { EngineEvent, EngineEventBody, Workflow } from '../../contract';
import { EngineMetrics } from './metrics';

const workflow = {
  id: 'wf',
  name: 'wf',
  version: 1,
  nodes: [
    { id: 'a', kind: 'tool', tool: 'util.wait', inputs: {} },
    { id: 'b', kind: 'tool', tool: 'util.wait', inputs: {} },
    { id: 'c', kind: 'tool', tool: 'text.template', inputs: {} },
  ],
  edges: [],
  settings: {},
} as Workflow;

let seq = 0;
const ev = (ts: number, body: EngineEventBody): EngineEvent => ({ ...body, runId: 'r1', seq: ++seq, ts }) as EngineEvent;
const status = (ts: number, nodeId: string, s: string, attempt = 1) => ev(ts, { type: 'node.status', nodeId, status: s, generation: 0, attempt } as EngineEventBody);

async function series(metrics: EngineMetrics, name: string): Promise<Record<string, number>> {
  const metric = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name)!;
  const out: Record<string, number> = {};
  for (const v of metric.values as { metricName?: string; labels: Record<string, string | number>; value: number }[]) {
    const labels = Object.entries(v.labels).map(([k, x]) => `${k}=${x}`).join(',');
    out[`${v.metricName ?? name}{${labels}}`] = v.value;
  }
  return out;
}

describe('EngineMetrics', () => {
  it('times node attempts without the time they waited for a person, and counts how each ended', async () => {
    const metrics = new EngineMetrics((id) => (id === 'r1' ? workflow : undefined), { defaultMetrics: false });
    metrics.observe([ev(0, { type: 'run.started', workflowId: 'wf', inputs: {}, nodeIds: ['a', 'b', 'c'] }), status(0, 'a', 'running'), status(0, 'c', 'running')]);
    // a works 100 ms, waits 5 s for an approval, works 100 ms more; c fails once after 20 ms and succeeds on its second attempt.
    metrics.observe([status(100, 'a', 'waiting'), status(20, 'c', 'retrying'), status(30, 'c', 'running', 2)]);
    metrics.observe([status(5100, 'a', 'running'), status(40, 'c', 'succeeded', 2)]);
    metrics.observe([status(5200, 'a', 'succeeded'), status(5200, 'b', 'running')]);
    metrics.observe([ev(5300, { type: 'run.finished', status: 'cancelled' })]);

    const executions = await series(metrics, 'awe_node_executions_total');
    expect(executions).toEqual({
      'awe_node_executions_total{tool=util.wait,status=succeeded}': 1,
      'awe_node_executions_total{tool=util.wait,status=cancelled}': 1,
      'awe_node_executions_total{tool=text.template,status=retrying}': 1,
      'awe_node_executions_total{tool=text.template,status=succeeded}': 1,
    });
    const durations = await series(metrics, 'awe_node_duration_seconds');
    expect(durations['awe_node_duration_seconds_count{tool=util.wait}']).toBe(2);
    expect(durations['awe_node_duration_seconds_sum{tool=util.wait}']).toBeCloseTo(0.2 + 0.1);
    expect(durations['awe_node_duration_seconds_bucket{le=0.1,tool=util.wait}']).toBe(1);
    expect(durations['awe_node_duration_seconds_bucket{le=0.25,tool=util.wait}']).toBe(2);
    expect(durations['awe_node_duration_seconds_count{tool=text.template}']).toBe(2);
    expect(durations['awe_node_duration_seconds_sum{tool=text.template}']).toBeCloseTo(0.02 + 0.01);
  });
});
