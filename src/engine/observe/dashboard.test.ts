/** deploy/grafana/awe-dashboard.json names only metrics the engine and `awe worker` export, and shows every worker metric. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineMetrics, type MetricSet } from './metrics';
import { WorkerMetrics } from './worker-metrics';

const dashboard = readFileSync(resolve(import.meta.dirname, '../../../deploy/grafana/awe-dashboard.json'), 'utf8');
const used = new Set([...dashboard.matchAll(/\b((?:awe|nodejs|process)_[a-z0-9_]+)/g)].map((m) => m[1].replace(/_bucket$/, '')));

async function exported(metrics: MetricSet): Promise<Set<string>> {
  await metrics.text(); // starts the process metrics
  return new Set((await metrics.registry.getMetricsAsJSON()).map((m) => m.name));
}

describe('the Grafana dashboard', () => {
  it('queries metrics that exist, under their exported names', async () => {
    const engine = new EngineMetrics(() => undefined);
    engine.registerQueue(() => ({ waiting: 0 }));
    const names = new Set([...(await exported(engine)), ...(await exported(new WorkerMetrics(4)))]);
    expect([...used].filter((name) => !names.has(name))).toEqual([]);
    expect(used.size).toBeGreaterThan(15);
  });

  it('has a panel for every metric a worker exports', async () => {
    const worker = [...(await exported(new WorkerMetrics(4)))].filter((name) => name.startsWith('awe_worker_'));
    expect(worker.length).toBeGreaterThanOrEqual(8);
    expect(worker.filter((name) => !used.has(name))).toEqual([]);
  });
});
