import { describe, expect, it } from 'vitest';
import type { Problem } from '../contract';
import { problemLine, problemLines, problemSummary } from './problems';

const unnamed: Problem = { code: 'cycle', message: 'cycle: a → b → a', nodeId: 'a' };
const named: Problem = { code: 'invalid-input', message: 'node "fetch": a map needs inputs.items', nodeId: 'fetch', path: 'nodes[0].inputs.items' };
const edge: Problem = { code: 'bad-branch', message: 'has a branch but leaves a tool node', edgeId: 'e1' };
const document: Problem = { code: 'schema', message: 'name: must not be empty', path: 'name' };

describe('problem lines', () => {
  it('names the node or edge a problem is about, unless its message already does', () => {
    expect(problemLines([unnamed, named, edge, document])).toEqual([
      'node "a": cycle: a → b → a',
      'node "fetch": a map needs inputs.items',
      'edge "e1": has a branch but leaves a tool node',
      'name: must not be empty',
    ]);
  });

  it('leads with the code and ends with the path when asked', () => {
    expect(problemLine(named, { code: true, path: true })).toBe('[invalid-input] node "fetch": a map needs inputs.items (at nodes[0].inputs.items)');
    expect(problemLine(unnamed, { code: true, path: true })).toBe('[cycle] node "a": cycle: a → b → a');
  });

  it('summarises the first few problems in one line, counting the rest', () => {
    expect(problemSummary([unnamed])).toBe('1 problem: node "a": cycle: a → b → a');
    const many = Array.from({ length: 7 }, (_, i): Problem => ({ code: 'schema', message: `m${i}` }));
    expect(problemSummary(many)).toBe('7 problems: m0; m1; m2; m3; m4; and 2 more');
  });
});
