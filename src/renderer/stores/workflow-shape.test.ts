import { describe, expect, it } from 'vitest';
import type { Workflow } from '../../contract';
import { createGraphStore } from './graph';
import { workflowShapeSelector } from './workflow-shape';

const wf: Workflow = {
  id: 'wf',
  name: 'wf',
  version: 1,
  nodes: ['a', 'b', 'c'].map((id, i) => ({ id, kind: 'tool' as const, tool: 'text.template', inputs: { template: id }, position: { x: i * 100, y: 0 } })),
  edges: [{ id: 'a-b', source: 'a', target: 'b' }],
  settings: {},
};

describe('workflow shape selector', () => {
  it('hands back the same document while only positions change, a new one for any other edit', () => {
    const store = createGraphStore();
    store.getState().load(wf);
    const select = workflowShapeSelector();
    const first = select(store.getState());
    store.getState().beginDrag();
    for (let i = 1; i <= 5; i++) store.getState().moveNodes({ c: { x: 10 * i, y: 7 * i } }, { transient: true });
    store.getState().endDrag();
    expect(store.getState().workflow).not.toBe(wf);
    expect(select(store.getState())).toBe(first);
    store.getState().setInput('c', 'template', 'changed');
    const edited = select(store.getState());
    expect(edited).not.toBe(first);
    expect(edited.nodes.find((n) => n.id === 'c')?.inputs.template).toBe('changed');
    store.getState().connect('b', 'c');
    expect(select(store.getState())).not.toBe(edited);
  });
});
