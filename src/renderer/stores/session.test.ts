import { describe, expect, it } from 'vitest';
import { createGraphStore, emptyWorkflow, freshWorkflowId } from './graph';
import { createSessionStore } from './session';

describe('session questions', () => {
  it('answers a question through its promise and closes it', async () => {
    const s = createSessionStore();
    const answer = s.getState().askDiscard('open another workflow', 'Greeting');
    expect(s.getState().discard).toMatchObject({ action: 'open another workflow', name: 'Greeting' });
    s.getState().discard!.resolve(true);
    await expect(answer).resolves.toBe(true);
    expect(s.getState().discard).toBeNull();
  });

  it('a second question of the same kind cancels the first instead of leaving it hanging', async () => {
    const s = createSessionStore();
    const first = s.getState().askPlanChoice('goal one', 3, 'A', false);
    const second = s.getState().askPlanChoice('goal two', 3, 'A', true);
    await expect(first).resolves.toBeNull();
    expect(s.getState().planChoice).toMatchObject({ goal: 'goal two', dirty: true });
    s.getState().planChoice!.resolve('extend');
    await expect(second).resolves.toBe('extend');
  });
});

describe('workflow identity', () => {
  it('gives every new document, copy and plan an id of its own, valid in templates and file names', () => {
    const ids = new Set(Array.from({ length: 200 }, () => freshWorkflowId('Clean data/customers.csv!')));
    expect(ids.size).toBe(200);
    for (const id of ids) expect(id).toMatch(/^Clean-data-customers-csv-[a-z0-9]+$/);
    expect(freshWorkflowId('123 go')).toMatch(/^go-/);
    expect(freshWorkflowId('%%%')).toMatch(/^wf-/);
    expect(freshWorkflowId('x'.repeat(300)).length).toBeLessThanOrEqual(128);
    expect(emptyWorkflow().id).not.toBe(emptyWorkflow().id);
  });

  it('loading a new empty document leaves it clean; an edit marks it dirty, undo back to saved clears it', () => {
    const g = createGraphStore();
    g.getState().load(emptyWorkflow());
    expect(g.getState().dirty).toBe(false);
    g.getState().addNode({ kind: 'tool', tool: 'text.template', inputs: {} });
    expect(g.getState().dirty).toBe(true);
    g.getState().undo();
    expect(g.getState().dirty).toBe(false);
  });
});
