import { describe, expect, it } from 'vitest';
import { NodeKind, type WorkflowNode } from '../../contract';
import { branchesFrom, kindForTool, kindInfo, NODE_KINDS, nodeOutputSchema, toolOf } from './index';

const node = (kind: NodeKind, extra: Partial<WorkflowNode> = {}): WorkflowNode => ({ id: 'n', kind, inputs: {}, ...extra });

describe('node-kind registry', () => {
  it('has exactly one entry for every kind the contract declares, filed under its own name', () => {
    expect(Object.keys(NODE_KINDS).sort()).toEqual([...NodeKind.options].sort());
    for (const kind of NodeKind.options) {
      const info = kindInfo(kind);
      expect(info.kind).toBe(kind);
      expect(info.title && info.description && info.icon && info.plannerHint).toBeTruthy();
    }
  });

  it('gives every kind its own icon', () => {
    const icons = Object.values(NODE_KINDS).map((k) => k.icon);
    expect(new Set(icons).size).toBe(icons.length);
  });

  it('maps kinds to the tool they call and palette tools back to their kind', () => {
    expect(toolOf(node('llm'))).toBe('llm.generate');
    expect(toolOf(node('agent'))).toBe('agent.run');
    expect(toolOf(node('approval'))).toBe('human.approve');
    expect(toolOf(node('llm', { tool: 'my.model' }))).toBe('my.model');
    expect(toolOf(node('tool'))).toBeUndefined();
    expect(toolOf(node('map', { tool: 'file.read' }))).toBe('file.read');
    expect(toolOf(node('condition', { tool: 'file.read' }))).toBeUndefined();
    for (const info of Object.values(NODE_KINDS)) if (info.tool.uses === 'default') expect(kindForTool(info.tool.name)).toBe(info.kind);
    expect(kindForTool('file.read')).toBe('tool');
  });

  it('lets only conditions branch', () => {
    expect(NodeKind.options.filter((k) => branchesFrom(k))).toEqual(['condition']);
    expect(branchesFrom(undefined)).toBe(false);
  });

  it('describes each kind’s output to the nodes after it', () => {
    const tools = (name: string) => (name === 'file.list' ? { type: 'object', properties: { entries: { type: 'array' } } } : undefined);
    const map = nodeOutputSchema(node('map', { tool: 'file.list' }), tools);
    expect(map?.properties?.results).toEqual({ type: 'array', items: tools('file.list') });
    expect(nodeOutputSchema(node('condition'), tools)?.properties?.result).toEqual({ type: 'boolean' });
    expect(nodeOutputSchema(node('input'), tools)).toBeUndefined();
    expect(nodeOutputSchema(node('tool', { tool: 'file.list' }), tools)).toEqual(tools('file.list'));
    expect(nodeOutputSchema(node('tool', { tool: 'file.list', outputSchema: { type: 'string' } }), tools)).toEqual({ type: 'string' });
  });

  it('checks a map’s per-item input, or its literal items, against the tool', () => {
    const mapKind = kindInfo('map');
    expect(mapKind.toolInputs!(node('map', { inputs: { items: '{{input.xs}}', with: { path: '{{item}}' } } }), 'nodes[0]')).toEqual([
      { value: { path: '{{item}}' }, at: 'nodes[0].inputs.with' },
    ]);
    expect(mapKind.toolInputs!(node('map', { inputs: { items: [{ ms: 1 }, 'x', { ms: 2 }] } }), 'nodes[0]')).toEqual([
      { value: { ms: 1 }, at: 'nodes[0].inputs.items[0]' },
      { value: { ms: 2 }, at: 'nodes[0].inputs.items[2]' },
    ]);
    expect(mapKind.toolInputs!(node('map', { inputs: { items: '{{input.xs}}' } }), 'nodes[0]')).toEqual([]);
  });

  it('finds the problems of a kind’s own inputs', () => {
    expect(kindInfo('condition').check!(node('condition', { inputs: { test: 1, operator: 'near' } }), 'nodes[2]')).toEqual([
      expect.objectContaining({ code: 'invalid-input', path: 'nodes[2].inputs.operator', message: expect.stringMatching(/unknown condition operator "near"; use one of truthy, equals/) }),
    ]);
    expect(kindInfo('condition').check!(node('condition', { inputs: { test: 1, operator: '{{input.op}}' } }), 'nodes[2]')).toEqual([]);
    expect(kindInfo('input').check!(node('input', { inputs: { name: '' } }), 'nodes[0]').map((p) => p.message)).toEqual(['node "n": inputs.name must be a non-empty string']);
    expect(kindInfo('map').check!(node('map'), 'nodes[0]').map((p) => p.path)).toEqual(['nodes[0].inputs.items']);
    expect(kindInfo('input').declaresInput!(node('input', { inputs: { name: 'city' } }))).toBe('city');
  });
});
