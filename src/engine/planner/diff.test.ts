import { describe, expect, it } from 'vitest';
import { Workflow } from '../../contract';
import { diffWorkflows, mergeReplan } from './diff';

const wf = (nodes: unknown[], edges: unknown[] = []) => Workflow.parse({ id: 'w', name: 'W', nodes, edges });
const t = (id: string, template = id, extra: object = {}) => ({ id, kind: 'tool', tool: 'text.template', inputs: { template }, ...extra });

describe('diffWorkflows', () => {
  it('lists added, removed and changed nodes, ignoring canvas moves', () => {
    const before = wf([t('a', 'a', { position: { x: 0, y: 0 } }), t('b'), t('c')], [{ id: 'e1', source: 'a', target: 'b' }]);
    const after = wf([t('a', 'a', { position: { x: 500, y: 9 } }), t('b', 'B!'), t('d')], [{ id: 'e1', source: 'a', target: 'b' }]);
    expect(diffWorkflows(before, after)).toEqual({ added: ['d'], removed: ['c'], changed: ['b'], kept: [] });
  });

  it('a node with new wiring or a new retry policy is changed', () => {
    const before = wf([t('a'), t('b'), t('c')], [{ id: 'e1', source: 'a', target: 'c' }]);
    const after = wf([t('a', 'a', { retry: { max: 2 } }), t('b'), t('c')], [{ id: 'e1', source: 'b', target: 'c' }]);
    expect(diffWorkflows(before, after).changed.sort()).toEqual(['a', 'c']);
  });
});

describe('mergeReplan', () => {
  it('keeps nodes the person added unless the plan proposes their removal', () => {
    const current = wf([t('fetch'), t('mine'), t('gone')], [
      { id: 'e1', source: 'fetch', target: 'mine' },
      { id: 'e2', source: 'fetch', target: 'gone' },
    ]);
    const proposed = Workflow.parse({ id: 'new-id', name: 'New', goal: 'g2', nodes: [t('fetch', 'v2'), t('save')], edges: [{ id: 'e1', source: 'fetch', target: 'save' }] });
    const { workflow, diff } = mergeReplan(current, proposed, ['gone']);
    expect(diff).toEqual({ added: ['save'], removed: ['gone'], changed: ['fetch'], kept: ['mine'] });
    expect(workflow.id).toBe('w'); // still the person's document
    expect(workflow.goal).toBe('g2');
    expect(workflow.nodes.map((n) => n.id)).toEqual(['fetch', 'save', 'mine']);
    // the kept node's edge survives; its id collided with a proposed edge and was renamed
    expect(workflow.edges).toEqual([
      { id: 'e1', source: 'fetch', target: 'save' },
      { id: 'e1-2', source: 'fetch', target: 'mine' },
    ]);
  });

  it('without removals nothing of the current graph is lost', () => {
    const current = wf([t('a'), t('b')], [{ id: 'e', source: 'a', target: 'b' }]);
    const { workflow, diff } = mergeReplan(current, wf([t('x')]));
    expect(workflow.nodes.map((n) => n.id).sort()).toEqual(['a', 'b', 'x']);
    expect(diff.kept).toEqual(['a', 'b']);
    expect(workflow.edges).toEqual([{ id: 'e', source: 'a', target: 'b' }]);
  });
});
