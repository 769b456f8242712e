import { describe, expect, it } from 'vitest';
import type { EngineEvent } from './events';
import { applyEvent, copyNodeViews, foldRun } from './fold';

const IDS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'plain'];

function events(): EngineEvent[] {
  let seq = 0;
  const base = () => ({ runId: 'r', seq: ++seq, ts: seq });
  const list: EngineEvent[] = [{ ...base(), type: 'run.started', workflowId: 'wf', inputs: {}, nodeIds: IDS }];
  for (const nodeId of IDS) {
    list.push({ ...base(), type: 'node.status', nodeId, status: 'running', generation: 0, attempt: 1 });
    list.push({ ...base(), type: 'node.output', nodeId, generation: 0, output: { text: `out of ${nodeId}` }, cached: false });
    list.push({ ...base(), type: 'node.status', nodeId, status: 'succeeded', generation: 0, attempt: 1 });
  }
  list.push({ ...base(), type: 'run.finished', status: 'succeeded' });
  return list;
}

describe('fold with node ids that name Object.prototype members', () => {
  it('keeps __proto__, constructor and friends as ordinary nodes, in views and in JSON', () => {
    const view = foldRun('r', events());
    expect(Object.keys(view.nodes)).toEqual(IDS);
    for (const id of IDS) expect(view.nodes[id]).toMatchObject({ status: 'succeeded', attempts: 1, output: { text: `out of ${id}` } });
    const json = JSON.parse(JSON.stringify(view)) as { nodes: Record<string, { status: string }> };
    expect(Object.keys(json.nodes)).toEqual(IDS);
    expect(Object.getPrototypeOf(view.nodes)).toBeNull();
  });

  it('applies events to a copied view (as the renderer does) without losing those ids', () => {
    const all = events();
    const view = foldRun('r', all.slice(0, 1));
    view.nodes = copyNodeViews(view.nodes);
    for (const e of all.slice(1)) applyEvent(view, e);
    expect(Object.keys(view.nodes)).toEqual(IDS);
    expect(view.nodes.constructor).toMatchObject({ status: 'succeeded' });
  });
});
