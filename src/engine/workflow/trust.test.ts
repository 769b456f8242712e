import { describe, expect, it } from 'vitest';
import { allowRequestProblems, WorkflowTrust } from './trust';

function trust() {
  const map = new Map<string, unknown>();
  return new WorkflowTrust({ get: (k) => map.get(k), set: (k, v) => void map.set(k, v) });
}
const wf = (id: string, allowTools?: string[]) => ({ id, settings: allowTools ? { allowTools } : {} });

describe('a workflow’s allowTools request', () => {
  it('grants nothing until a person approves exactly that list for that workflow id', () => {
    const t = trust();
    expect(t.request(wf('a', ['file.write']))).toEqual({ requested: ['file.write'], approved: false });
    expect(t.granted(wf('a', ['file.write']))).toEqual([]);
    t.approve(wf('a', ['file.write', ' file.write ']), ['file.write']);
    expect(t.granted(wf('a', ['file.write']))).toEqual(['file.write']);
    // Another document, or a changed request, asks again.
    expect(t.granted(wf('b', ['file.write']))).toEqual([]);
    expect(t.request(wf('a', ['file.write', 'http.fetch']))).toEqual({ requested: ['file.write', 'http.fetch'], approved: false });
    // Order does not matter; a list the person was not shown cannot be approved.
    expect(() => t.approve(wf('a', ['http.fetch', 'file.write']), ['file.write'])).toThrow(/now requests \[file\.write, http\.fetch\]/);
    t.approve(wf('a', ['http.fetch', 'file.write']), ['file.write', 'http.fetch']);
    expect(t.granted(wf('a', ['file.write', 'http.fetch']))).toEqual(['file.write', 'http.fetch']);
    // An id like __proto__ is just an id.
    expect(t.granted(wf('__proto__', ['file.write']))).toEqual([]);
  });

  it('refuses every wildcard but mcp.<server>.*', () => {
    for (const bad of ['*', 'file.*', 'mcp.*', 'mcp.*.write', 'mcp.files.*.x', '*.write', 'mcp.a.b.*', '']) {
      expect(allowRequestProblems([bad]), JSON.stringify(bad)).toHaveLength(1);
    }
    expect(allowRequestProblems(['file.write', 'mcp.files.*', 'mcp.files.read_file'])).toEqual([]);
    expect(allowRequestProblems(['ok.tool', '*'])[0]).toMatchObject({ code: 'schema', path: 'settings.allowTools[1]' });
    expect(() => trust().approve(wf('a', ['*']), ['*'])).toThrow(/"\*" is not allowed/);
  });
});
