import { describe, expect, it } from 'vitest';
import type { Workflow } from '../../contract';
import { mapItemSchema, matchSuggestions, referenceSuggestions, type Schema } from './references';

const OUT: Record<string, Schema> = {
  'file.list': { type: 'object', properties: { entries: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, size: { type: 'integer' } } } }, truncated: { type: 'boolean' } } },
  'text.template': { type: 'object', properties: { text: { type: 'string' } } },
};
const toolOutput = (t: string) => OUT[t];

const wf: Workflow = {
  id: 'w',
  name: 'w',
  version: 1,
  settings: { inputs: { folder: { type: 'string' } } },
  nodes: [
    { id: 'files', kind: 'tool', tool: 'file.list', inputs: {} },
    { id: 'each', kind: 'map', tool: 'text.template', inputs: { items: '{{nodes.files.output.entries}}' } },
    { id: 'who', kind: 'input', inputs: { name: 'audience' } },
    { id: 'last', kind: 'tool', tool: 'text.template', inputs: {} },
    { id: 'aside', kind: 'tool', tool: 'text.template', inputs: {} },
  ],
  edges: [
    { id: 'e1', source: 'files', target: 'each' },
    { id: 'e2', source: 'each', target: 'last' },
  ],
};

describe('referenceSuggestions', () => {
  it("lists upstream outputs with their fields, a map's own output shape, and run inputs — not unrelated nodes", () => {
    const refs = referenceSuggestions(wf, 'last', toolOutput).map((s) => s.ref);
    expect(refs).toEqual(expect.arrayContaining(['nodes.each.output.results', 'nodes.each.output.failed', 'nodes.files.output.entries', 'input.folder', 'input.audience']));
    expect(refs).not.toContain('nodes.each.output.text');
    expect(refs.some((r) => r.startsWith('nodes.aside'))).toBe(false);
    expect(refs.some((r) => r.startsWith('item'))).toBe(false);
  });

  it("inside a map's per-item input, offers the item's known fields and the index", () => {
    expect(mapItemSchema(wf, wf.nodes[1], toolOutput)?.properties?.path).toEqual({ type: 'string' });
    const refs = referenceSuggestions(wf, 'each', toolOutput, { schema: mapItemSchema(wf, wf.nodes[1], toolOutput) }).map((s) => s.ref);
    expect(refs.slice(0, 4)).toEqual(['item', 'item.path', 'item.size', 'index']);
  });

  it('matches what was typed after {{, prefix matches first', () => {
    const all = referenceSuggestions(wf, 'last', toolOutput);
    expect(matchSuggestions(all, 'nodes.ea').map((s) => s.ref)[0]).toBe('nodes.each.output');
    expect(matchSuggestions(all, 'entries').map((s) => s.ref)).toEqual(['nodes.files.output.entries']);
  });
});
