import { describe, expect, it } from 'vitest';
import type { Problem } from '../../contract';
import { jsonTransformTool } from '../tools/builtin/json-transform';
import { textTemplateTool } from '../tools/builtin/text-template';
import { utilWaitTool } from '../tools/builtin/util-wait';
import { builtinTools } from '../tools/builtins';
import { ToolRegistry } from '../tools/registry';
import { validateWorkflow } from './validate';
import { designExample } from './examples.testkit';

/** Only the tools these tests are about, so other tools' arrival cannot change results. */
const registry = new ToolRegistry();
for (const tool of [textTemplateTool, jsonTransformTool, utilWaitTool]) registry.register(tool);

type NodeDoc = { id: string; kind: string; tool?: string; inputs?: Record<string, unknown>; [k: string]: unknown };
type EdgeDoc = { id: string; source: string; target: string; branch?: string };
const doc = (nodes: NodeDoc[], edges: EdgeDoc[] = [], extra: Record<string, unknown> = {}) => ({ id: 'wf', name: 'Test', nodes, edges, ...extra });
const wait = (id: string, inputs: Record<string, unknown> = { ms: 1 }): NodeDoc => ({ id, kind: 'tool', tool: 'util.wait', inputs });
const text = (id: string, template: string): NodeDoc => ({ id, kind: 'tool', tool: 'text.template', inputs: { template } });
const edge = (source: string, target: string, branch?: string): EdgeDoc => ({ id: `${source}-${target}`, source, target, ...(branch ? { branch } : {}) });

const problemsOf = (d: unknown) => validateWorkflow(d, registry).problems;
const only = (problems: Problem[], code: Problem['code']) => problems.filter((p) => p.code === code);

describe('validateWorkflow', () => {
  it('accepts the DESIGN.md §3 example with the real built-in tools', () => {
    const shipped = new ToolRegistry();
    for (const tool of builtinTools()) shipped.register(tool);
    const result = validateWorkflow(designExample(), shipped);
    expect(result.problems).toEqual([]);
    expect(result.ok).toBe(true);
    expect(result.workflow?.nodes.map((n) => n.id)).toEqual(['greet', 'shout', 'long', 'pause']);
    expect(result.workflow?.settings).toEqual({}); // defaults applied
  });

  it('lists every problem of a document with several faults at once', () => {
    const problems = problemsOf(
      doc(
        [
          text('a', 'x'),
          { ...wait('b', { ms: 'soon' }), timeoutMs: 0 },
          { id: 'c', kind: 'tool', tool: 'text.templat', inputs: { template: 'hi' } },
          text('a', 'again'),
          text('d', '{{nodes.c.output.text'),
        ],
        [edge('a', 'b'), edge('b', 'a'), edge('c', 'ghost'), { ...edge('a', 'c'), id: 'a-b' }],
      ),
    );
    const codes = new Set(problems.map((p) => p.code));
    expect(codes).toEqual(new Set(['schema', 'invalid-input', 'unknown-tool', 'duplicate-id', 'dangling-edge', 'cycle', 'bad-template']));
    // A node with a bad field is still checked for everything else.
    expect(problems).toContainEqual(expect.objectContaining({ code: 'schema', nodeId: 'b', path: 'nodes[1].timeoutMs' }));
    expect(problems).toContainEqual(expect.objectContaining({ code: 'invalid-input', nodeId: 'b' }));
    expect(only(problems, 'duplicate-id').map((p) => p.nodeId ?? p.edgeId)).toEqual(['a', 'a-b']);
    expect(only(problems, 'dangling-edge')).toEqual([expect.objectContaining({ edgeId: 'c-ghost', path: 'edges[2].target' })]);
  });

  it('names the cycle', () => {
    const problems = problemsOf(doc([wait('a'), wait('b'), wait('c'), wait('d')], [edge('d', 'a'), edge('a', 'b'), edge('b', 'c'), edge('c', 'a')]));
    expect(only(problems, 'cycle').map((p) => p.message)).toEqual(['cycle: a → b → c → a']);
  });

  it('names each separate cycle', () => {
    const problems = problemsOf(doc([wait('a'), wait('b'), wait('x'), wait('y')], [edge('a', 'b'), edge('b', 'a'), edge('x', 'y'), edge('y', 'x')]));
    expect(only(problems, 'cycle').map((p) => p.message)).toEqual(['cycle: a → b → a', 'cycle: x → y → x']);
  });

  it('reports a self-loop as a cycle', () => {
    expect(only(problemsOf(doc([wait('a')], [edge('a', 'a')])), 'cycle').map((p) => p.message)).toEqual(['cycle: a → a']);
  });

  it('rejects a reference to a node that is not upstream, naming both', () => {
    const problems = problemsOf(doc([text('a', 'A'), text('b', 'B'), text('c', 'from {{nodes.b.output.text}}')], [edge('a', 'c'), edge('a', 'b')]));
    expect(problems).toEqual([
      expect.objectContaining({ code: 'not-ancestor', nodeId: 'c', path: 'nodes[2].inputs.template', message: expect.stringMatching(/"b", which is not upstream of "c"/) }),
    ]);
    // Through a path of several edges is fine.
    expect(problemsOf(doc([text('a', 'A'), text('b', 'B'), text('c', '{{nodes.a.output.text}}')], [edge('a', 'b'), edge('b', 'c')]))).toEqual([]);
  });

  it('rejects references to missing nodes (with a suggestion) and to the node itself', () => {
    const problems = problemsOf(doc([text('fetch', 'A'), text('b', '{{nodes.fetc.output}} {{nodes.b.output}}')], [edge('fetch', 'b')]));
    expect(problems.map((p) => [p.code, p.message])).toEqual([
      ['bad-reference', expect.stringContaining('"fetc", which does not exist (did you mean "fetch"?)')],
      ['not-ancestor', expect.stringContaining('refers to the node itself')],
    ]);
  });

  it('names unknown tools with a did-you-mean', () => {
    const problems = problemsOf(doc([{ id: 'n', kind: 'tool', tool: 'util.wiat', inputs: { ms: 1 } }, { id: 'm', kind: 'tool', tool: 'zzz.qqq' }]));
    expect(problems.map((p) => [p.nodeId, p.message])).toEqual([
      ['n', 'node "n": unknown tool "util.wiat" (did you mean "util.wait"?)'],
      ['m', 'node "m": unknown tool "zzz.qqq"'],
    ]);
  });

  it('requires a tool on tool and map nodes, and knows the default tool of llm nodes', () => {
    const problems = problemsOf(doc([{ id: 't', kind: 'tool' }, { id: 'm', kind: 'map', inputs: { items: [1] } }, { id: 'l', kind: 'llm', inputs: {} }]));
    expect(problems.map((p) => [p.code, p.nodeId])).toEqual([
      ['missing-tool', 't'],
      ['missing-tool', 'm'],
      ['unknown-tool', 'l'], // this registry has no llm.generate
    ]);
  });

  it('flags literal inputs that fail the tool’s input schema, naming node and field', () => {
    const problems = problemsOf(doc([wait('pause', { ms: 'soon' })]));
    expect(problems).toEqual([
      {
        code: 'invalid-input',
        nodeId: 'pause',
        path: 'nodes[0].inputs.ms',
        message: 'node "pause": util.wait input ms: should be a number, not a text',
      },
    ]);
    expect(only(problemsOf(doc([wait('pause', {})])), 'invalid-input')[0].message).toContain('ms: is required');
    expect(only(problemsOf(doc([{ id: 'j', kind: 'tool', tool: 'json.transform', inputs: { data: 1, expression: '$x(' } }])), 'invalid-input')[0].message).toMatch(
      /expression: invalid JSONata expression: .*position/,
    );
  });

  it('names every node whose empty input its tool refuses, in document order', () => {
    // The empty input is parsed once per tool; each node still gets its own problem. `c` is
    // upstream of `a` (visited first) but reported after it.
    const problems = problemsOf(doc([wait('a', {}), wait('b', { ms: 1 }), wait('c', { note: '{{input.later}}' })], [edge('c', 'a')]));
    expect(only(problems, 'invalid-input').map((p) => [p.nodeId, p.path])).toEqual([
      ['a', 'nodes[0].inputs.ms'],
      ['c', 'nodes[2].inputs.ms'],
    ]);
  });

  it('does not flag templated inputs, whose values come at run time', () => {
    const problems = problemsOf(
      doc(
        [text('a', '5'), wait('b', { ms: '{{nodes.a.output.text}}' }), { id: 'j', kind: 'tool', tool: 'json.transform', inputs: { data: '{{input.x}}', expression: '{{input.expr}}' } }],
        [edge('a', 'b')],
      ),
    );
    expect(problems).toEqual([]);
  });

  it('flags malformed templates', () => {
    const problems = problemsOf(doc([text('a', 'Hi {{input.name'), text('b', '{{}}'), text('c', '{{nodes.a}}')]));
    expect(only(problems, 'bad-template').map((p) => p.nodeId)).toEqual(['a', 'b', 'c']);
    expect(problems[0].message).toContain('unclosed "{{"');
  });

  it('allows item and index only inside a map node’s inputs.with', () => {
    const ok = problemsOf(doc([{ id: 'm', kind: 'map', tool: 'text.template', inputs: { items: [1, 2], with: { template: '{{index}}: {{item}}' } } }]));
    expect(ok).toEqual([]);
    const bad = problemsOf(
      doc([text('t', '{{item.name}}'), { id: 'm', kind: 'map', tool: 'text.template', inputs: { items: '{{item}}', with: { template: 'x' } } }]),
    );
    expect(bad.map((p) => [p.code, p.nodeId, p.path])).toEqual([
      ['bad-reference', 't', 'nodes[0].inputs.template'],
      ['bad-reference', 'm', 'nodes[1].inputs.items'],
    ]);
  });

  it('checks a map node’s per-item input against its tool', () => {
    const problems = problemsOf(doc([{ id: 'm', kind: 'map', tool: 'util.wait', inputs: { items: [1], with: { ms: 'later' } } }]));
    expect(problems).toEqual([expect.objectContaining({ code: 'invalid-input', nodeId: 'm', path: 'nodes[0].inputs.with.ms' })]);
  });

  it('checks literal map items against the tool when there is no inputs.with (the item is the input)', () => {
    const ok = problemsOf(doc([{ id: 'm', kind: 'map', tool: 'util.wait', inputs: { items: [{ ms: 1 }, { ms: 2 }] } }]));
    expect(ok).toEqual([]);
    const bad = problemsOf(doc([{ id: 'm', kind: 'map', tool: 'util.wait', inputs: { items: [{ ms: 1 }, { ms: 'x' }] } }]));
    expect(bad).toEqual([expect.objectContaining({ code: 'invalid-input', nodeId: 'm', path: 'nodes[0].inputs.items[1].ms' })]);
  });

  it('puts branches only on edges out of conditions, and on every one of them', () => {
    const problems = problemsOf(
      doc(
        [{ id: 'c', kind: 'condition', inputs: { test: true } }, wait('yes'), wait('no'), wait('after')],
        [edge('c', 'yes', 'true'), edge('c', 'no'), edge('yes', 'after', 'false')],
      ),
    );
    expect(problems.map((p) => [p.code, p.edgeId])).toEqual([
      ['bad-branch', 'c-no'],
      ['bad-branch', 'yes-after'],
    ]);
  });

  it('requires inputs.test on conditions, inputs.items on maps and inputs.name on input nodes', () => {
    const problems = problemsOf(doc([{ id: 'c', kind: 'condition' }, { id: 'm', kind: 'map', tool: 'text.template', inputs: { with: { template: 'x' } } }, { id: 'i', kind: 'input' }]));
    expect(problems.map((p) => [p.code, p.nodeId, p.path])).toEqual([
      ['invalid-input', 'c', 'nodes[0].inputs.test'],
      ['invalid-input', 'm', 'nodes[1].inputs.items'],
      ['invalid-input', 'i', 'nodes[2].inputs.name'],
    ]);
  });

  it("names a condition's unknown operator and the ones it knows; a known or templated operator passes", () => {
    const problems = problemsOf(doc([{ id: 'c', kind: 'condition', inputs: { test: 1, operator: 'biggerThan' } }, { id: 'd', kind: 'condition', inputs: { test: 1, operator: 'greaterThan', value: 0 } }]));
    expect(problems.map((p) => [p.code, p.nodeId, p.path])).toEqual([['invalid-input', 'c', 'nodes[0].inputs.operator']]);
    expect(problems[0].message).toContain('use one of truthy, equals, notEquals, contains, isEmpty, isNotEmpty, greaterThan, lessThan');
  });

  it('checks run-input references against declared inputs when the workflow declares them', () => {
    const declared = { settings: { inputs: { audience: { type: 'string' } } } };
    const problems = problemsOf(doc([text('a', 'for {{input.audiance}} and {{input.audience}} and {{input.topic}}'), { id: 'i', kind: 'input', inputs: { name: 'topic' } }], [], declared));
    expect(problems.map((p) => p.message)).toEqual([expect.stringContaining('run input "audiance", which settings.inputs does not declare (did you mean "audience"?)')]);
  });

  it('checks run-input references when only input nodes declare inputs, and never trusts inherited names', () => {
    const viaNode = problemsOf(doc([{ id: 'i', kind: 'input', inputs: { name: 'topic' } }, text('a', '{{input.topc}} {{input.topic}}')], [edge('i', 'a')]));
    expect(viaNode.map((p) => [p.code, p.nodeId])).toEqual([['bad-reference', 'a']]);
    expect(viaNode[0].message).toContain('run input "topc", which settings.inputs does not declare (did you mean "topic"?)');
    expect(viaNode[0].message).toContain('a workflow that declares no inputs accepts any at run time');
    const declared = { settings: { inputs: { audience: { type: 'string' } } } };
    const inherited = problemsOf(doc([text('a', '{{input.constructor}} {{input.toString}} {{input.__proto__}}')], [], declared));
    expect(inherited.map((p) => p.message)).toEqual([
      expect.stringContaining('run input "constructor"'),
      expect.stringContaining('run input "toString"'),
      expect.stringContaining('run input "__proto__"'),
    ]);
    // Declaring nothing (or an empty settings.inputs) keeps ad-hoc run inputs working.
    expect(problemsOf(doc([text('a', '{{input.anything}}')]))).toEqual([]);
    expect(problemsOf(doc([text('a', '{{input.anything}}')], [], { settings: { inputs: {} } }))).toEqual([]);
  });

  it('reports schema problems with their JSON path and the node they belong to', () => {
    const problems = problemsOf({ id: 'wf', name: '', nodes: [wait('a'), { id: 'b', kind: 'sideways' }], edges: [{ id: 'e', source: 'a' }] });
    expect(problems.map((p) => [p.code, p.path, p.nodeId ?? p.edgeId])).toEqual([
      ['schema', 'name', undefined],
      ['schema', 'nodes[1].kind', 'b'],
      ['schema', 'edges[0].target', 'e'],
    ]);
    expect(problems[1].message).toMatch(/^nodes\[1\]\.kind: should be one of: tool, llm, agent/);
  });

  it('says what is wrong with something that is not a workflow at all', () => {
    for (const bad of [null, 42, 'text', []]) {
      const result = validateWorkflow(bad, registry);
      expect(result.ok).toBe(false);
      expect(result.problems[0]).toMatchObject({ code: 'schema' });
    }
  });

  it('validates 10,000 nodes with references quickly enough to run on every edit', () => {
    const n = 10_000;
    const nodes: NodeDoc[] = [text('n0', 'start')];
    const edges: EdgeDoc[] = [];
    for (let i = 1; i < n; i++) {
      // Each node reads its predecessor and the first node: both ancestors through the chain.
      nodes.push(text(`n${i}`, `{{nodes.n${i - 1}.output.text}} {{nodes.n0.output.text}}`));
      edges.push(edge(`n${i - 1}`, `n${i}`));
    }
    nodes.push(text('stray', '{{nodes.n5000.output.text}}'));
    // Timing lives in `npm run bench` (bench/validate.ts); tests never assert wall-clock time.
    const problems = problemsOf(doc(nodes, edges));
    expect(problems.map((p) => p.nodeId)).toEqual(['stray']);
  });
});
