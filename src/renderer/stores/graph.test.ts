import { describe, expect, it } from 'vitest';
import type { Workflow } from '../../contract';
import { parseClipboard, selectionToClipboard } from '../lib/graph-utils';
import { createGraphStore } from './graph';

const doc = (): Workflow => ({
  id: 'wf',
  name: 'Greeting',
  version: 1,
  nodes: [
    { id: 'greet', kind: 'tool', tool: 'text.template', inputs: { template: 'Hello' }, position: { x: 0, y: 0 } },
    { id: 'shout', kind: 'tool', tool: 'json.transform', inputs: { data: '{{nodes.greet.output}}' }, position: { x: 300, y: 0 } },
  ],
  edges: [{ id: 'e1', source: 'greet', target: 'shout' }],
  settings: {},
});

describe('graph store', () => {
  it('undoes and redoes every kind of edit, in order', () => {
    const g = createGraphStore(doc());
    const s = () => g.getState();
    const id = s().addNode({ kind: 'tool', tool: 'file.write', inputs: {}, position: { x: 600, y: 0 } });
    expect(id).toBe('write');
    expect(s().connect('shout', 'write').ok).toBe(true);
    s().setInput('write', 'path', 'out.txt');
    s().moveNodes({ greet: { x: 10, y: 20 } });
    s().removeElements(['shout'], []);
    expect(s().workflow.nodes.map((n) => n.id)).toEqual(['greet', 'write']);
    expect(s().workflow.edges).toEqual([]); // edges of a deleted node go with it

    s().undo(); // delete
    expect(s().workflow.nodes.map((n) => n.id)).toEqual(['greet', 'shout', 'write']);
    expect(s().workflow.edges).toHaveLength(2);
    s().undo(); // move
    expect(s().workflow.nodes[0].position).toEqual({ x: 0, y: 0 });
    s().undo(); // input
    expect(s().workflow.nodes[2].inputs).toEqual({});
    s().undo(); // connect
    s().undo(); // add
    expect(s().workflow).toEqual(doc());
    expect(s().dirty).toBe(false); // back to the document as opened

    s().redo();
    s().redo();
    expect(s().workflow.edges.map((e) => [e.source, e.target])).toEqual([
      ['greet', 'shout'],
      ['shout', 'write'],
    ]);
    expect(s().dirty).toBe(true);
  });

  it('a new edit after undo drops the redo stack', () => {
    const g = createGraphStore(doc());
    g.getState().rename('A');
    g.getState().undo();
    g.getState().rename('B');
    g.getState().redo();
    expect(g.getState().workflow.name).toBe('B');
    expect(g.getState().future).toHaveLength(0);
  });

  it('refuses a connection that would create a cycle, saying why, and changes nothing', () => {
    const g = createGraphStore(doc());
    const res = g.getState().connect('shout', 'greet');
    expect(res.ok).toBe(false);
    expect(!res.ok && res.message).toMatch(/cycle/);
    expect(g.getState().connect('greet', 'greet').ok).toBe(false);
    expect(g.getState().workflow.edges).toHaveLength(1);
    expect(g.getState().past).toHaveLength(0);
  });

  it('a whole drag is one undo step; a drag that moved nothing is none', () => {
    const g = createGraphStore(doc());
    g.getState().beginDrag();
    for (let x = 1; x <= 5; x++) g.getState().moveNodes({ greet: { x, y: 0 } }, { transient: true });
    g.getState().endDrag();
    expect(g.getState().past).toHaveLength(1);
    g.getState().undo();
    expect(g.getState().workflow.nodes[0].position).toEqual({ x: 0, y: 0 });

    g.getState().beginDrag();
    g.getState().endDrag();
    expect(g.getState().past).toHaveLength(0);
  });

  it('copies a selection and pastes it into another workflow with fresh ids and rewired references', () => {
    const from = createGraphStore(doc());
    const text = JSON.stringify(selectionToClipboard(from.getState().workflow, ['greet', 'shout']));
    const to = createGraphStore(doc()); // already has greet and shout: ids must not collide
    const ids = to.getState().paste(parseClipboard(text)!);
    expect(ids).toEqual(['greet_2', 'shout_2']);
    const wf = to.getState().workflow;
    expect(wf.nodes).toHaveLength(4);
    expect(wf.nodes[3].inputs.data).toBe('{{nodes.greet_2.output}}');
    expect(wf.nodes[3].position).toEqual({ x: 340, y: 40 });
    expect(wf.edges.at(-1)).toMatchObject({ source: 'greet_2', target: 'shout_2' });
    to.getState().undo();
    expect(to.getState().workflow.nodes).toHaveLength(2);
  });

  it('only the edited node gets a new object', () => {
    const g = createGraphStore(doc());
    const before = g.getState().workflow.nodes;
    g.getState().updateNode('shout', { label: 'Shout it' });
    const after = g.getState().workflow.nodes;
    expect(after[0]).toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    expect(after[1].label).toBe('Shout it');
  });

  it('opening a document is undoable and saving clears the dirty flag', () => {
    const g = createGraphStore(doc());
    g.getState().rename('Edited');
    expect(g.getState().dirty).toBe(true);
    g.getState().load({ ...doc(), id: 'other', name: 'Other' }, { undoable: true });
    expect(g.getState().dirty).toBe(false);
    g.getState().undo();
    expect(g.getState().workflow.name).toBe('Edited');
    g.getState().markSaved({ ...g.getState().workflow, version: 2 });
    expect(g.getState().dirty).toBe(false);
    expect(g.getState().workflow.version).toBe(2);
  });
});
