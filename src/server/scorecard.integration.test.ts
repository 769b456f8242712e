/**
 * The run scorecard over real HTTP (GET /api/runs/:id/scorecard), in the run bundle, and
 * through the command table, for a real run of a diamond whose one branch is slow.
 */
import { unzipSync, strFromU8 } from 'fflate';
import { describe, expect, it } from 'vitest';
import { Scorecard, type EngineEvent } from '../contract';
import { useTestServer } from './test-engine.testkit';

const diamond = {
  id: 'diamond',
  name: 'Diamond',
  nodes: [
    { id: 'a', kind: 'tool', tool: 'text.template', inputs: { template: 'start' } },
    { id: 'fast', kind: 'tool', tool: 'text.template', inputs: { template: 'fast {{nodes.a.output.text}}' } },
    { id: 'slow', kind: 'tool', tool: 'util.wait', inputs: { ms: 250 } },
    { id: 'd', kind: 'tool', tool: 'artifact.save', inputs: { name: 'joined.txt', content: '{{nodes.fast.output.text}}' } },
  ],
  edges: [
    { id: 'e1', source: 'a', target: 'fast' },
    { id: 'e2', source: 'a', target: 'slow' },
    { id: 'e3', source: 'fast', target: 'd' },
    { id: 'e4', source: 'slow', target: 'd' },
  ],
};

const server = useTestServer();

const get = (path: string) => fetch(server.url + path, { headers: { authorization: `Bearer ${server.token}` } });

describe('GET /api/runs/:id/scorecard', () => {
  it('gives the figures of the run: outcome, the slow branch as critical path, latencies and artifact links', async () => {
    const handle = server.engine.startRun(server.engine.validate(diamond).workflow!);
    await handle.done;
    const res = await get(`/api/runs/${handle.runId}/scorecard`);
    expect(res.status).toBe(200);
    const card = Scorecard.parse(await res.json());
    expect(card.status).toBe('succeeded');
    expect(card.criticalPath.nodeIds).toEqual(['a', 'slow', 'd']);
    // Every figure comes from the recorded events' clock readings.
    const events = server.engine.events(handle.runId, 0);
    const at = (nodeId: string, status: string) => (events.find((e) => e.type === 'node.status' && e.nodeId === nodeId && e.status === status) as EngineEvent).ts;
    const latency = (id: string) => at(id, 'succeeded') - at(id, 'running');
    expect(card.nodes.find((n) => n.nodeId === 'slow')!.latencyMs).toBe(latency('slow'));
    expect(latency('slow')).toBeGreaterThanOrEqual(250);
    expect(card.criticalPath.ms).toBe(latency('a') + latency('slow') + latency('d'));
    expect(card.wallMs).toBe(events.at(-1)!.ts - events[0].ts);
    expect(card.artifacts.map((a) => a.name)).toEqual(['joined.txt']);
    const download = await get(card.artifacts[0].url);
    expect(download.status).toBe(200);
    expect(await download.text()).toBe('fast start');
  });

  it('is part of the run bundle, equal to what the API serves', async () => {
    const handle = server.engine.startRun(server.engine.validate(diamond).workflow!);
    await handle.done;
    const served = await (await get(`/api/runs/${handle.runId}/scorecard`)).json();
    const zip = unzipSync(new Uint8Array(await (await get(`/api/runs/${handle.runId}/export`)).arrayBuffer()));
    expect(JSON.parse(strFromU8(zip['scorecard.json']))).toEqual(served);
  });

  it('answers 404 for an unknown run', async () => {
    const res = await get('/api/runs/nope/scorecard');
    expect(res.status).toBe(404);
  });
});
