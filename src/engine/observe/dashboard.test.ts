/** deploy/grafana/awe-dashboard.json names only metrics the engine exports. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineMetrics } from './metrics';

describe('the Grafana dashboard', () => {
  it('queries metrics that exist, under their exported names', async () => {
    const dashboard = readFileSync(resolve(import.meta.dirname, '../../../deploy/grafana/awe-dashboard.json'), 'utf8');
    const used = new Set([...dashboard.matchAll(/\b((?:awe|nodejs|process)_[a-z0-9_]+)/g)].map((m) => m[1].replace(/_bucket$/, '')));
    const metrics = new EngineMetrics(() => undefined);
    metrics.registerQueue(() => ({ waiting: 0 }));
    await metrics.text(); // starts the process metrics
    const exported = new Set((await metrics.registry.getMetricsAsJSON()).map((m) => m.name));
    expect([...used].filter((name) => !exported.has(name))).toEqual([]);
    expect(used.size).toBeGreaterThan(15);
  });
});
