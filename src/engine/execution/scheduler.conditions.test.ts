import { describe, expect, it } from 'vitest';
import { echo, edge, harness, node, testTool } from './scheduler.testkit';

const cond = (id: string, test: unknown) => ({ id, kind: 'condition' as const, inputs: { test } });

describe('condition nodes', () => {
  it('runs the taken branch and skips the other transitively, saying why', async () => {
    const h = harness(
      {
        id: 'wf', name: 'wf',
        nodes: [cond('c', '{{input.go}}'), node('yes'), node('yes2'), node('no'), node('no2')],
        edges: [edge('c', 'yes', 'true'), edge('yes', 'yes2'), edge('c', 'no', 'false'), edge('no', 'no2')],
      },
      { tools: [echo], inputs: { go: 'ship it' } },
    );
    const view = await h.exec.start();
    expect(view.status).toBe('succeeded');
    expect(view.nodes.c.output).toEqual({ value: 'ship it', result: true });
    expect(view.nodes.yes2.status).toBe('succeeded');
    expect(view.nodes.no).toMatchObject({ status: 'skipped', detail: expect.stringContaining('branch "false" of condition "c" was not taken') });
    expect(view.nodes.no2).toMatchObject({ status: 'skipped', detail: expect.stringContaining('"no" was skipped') });
  });

  it('judges the test as true unless it is empty, false or 0: an empty list or object takes the false branch', async () => {
    for (const [test, taken] of [[0, 'false'], ['', 'false'], [null, 'false'], [[], 'false'], [{}, 'false'], ['{{input.files}}', 'false'], [[0], 'true'], ['0', 'true']] as const) {
      const h = harness(
        { id: 'wf', name: 'wf', nodes: [cond('c', test), node('t'), node('f')], edges: [edge('c', 't', 'true'), edge('c', 'f', 'false')] },
        { tools: [echo], inputs: { files: [] } },
      );
      const view = await h.exec.start();
      expect(view.nodes[taken === 'true' ? 't' : 'f'].status, `test ${JSON.stringify(test)}`).toBe('succeeded');
      expect(view.nodes[taken === 'true' ? 'f' : 't'].status).toBe('skipped');
    }
  });

  it('compares the test with a value by the operator the inspector\'s builder sets', async () => {
    const cases: [Record<string, unknown>, 'true' | 'false'][] = [
      [{ test: '{{input.n}}', operator: 'greaterThan', value: 10 }, 'true'],
      [{ test: '{{input.n}}', operator: 'lessThan', value: 10 }, 'false'],
      [{ test: 'status: ok', operator: 'contains', value: 'ok' }, 'true'],
      [{ test: '{{input.n}}', operator: 'equals', value: '12' }, 'true'],
    ];
    for (const [inputs, taken] of cases) {
      const h = harness(
        { id: 'wf', name: 'wf', nodes: [{ id: 'c', kind: 'condition' as const, inputs }, node('t'), node('f')], edges: [edge('c', 't', 'true'), edge('c', 'f', 'false')] },
        { tools: [echo], inputs: { n: 12 } },
      );
      const view = await h.exec.start();
      expect(view.nodes[taken === 'true' ? 't' : 'f'].status, JSON.stringify(inputs)).toBe('succeeded');
    }
  });

  it('fails the condition with the reason when its operator is unknown', async () => {
    const h = harness(
      { id: 'wf', name: 'wf', nodes: [{ id: 'c', kind: 'condition' as const, inputs: { test: 1, operator: 'bigger' } }, node('t')], edges: [edge('c', 't', 'true')] },
      { tools: [echo] },
    );
    const view = await h.exec.start();
    expect(view.nodes.c).toMatchObject({ status: 'failed', error: { class: 'permanent', message: expect.stringContaining('unknown operator "bigger"') } });
  });

  it('still runs a node joining a skipped branch and a taken branch', async () => {
    const h = harness(
      {
        id: 'wf', name: 'wf',
        nodes: [cond('c', false), node('t'), node('f', { inputs: { v: 'f' } }), node('join', { inputs: { from: '{{nodes.f.output.v}}' } })],
        edges: [edge('c', 't', 'true'), edge('c', 'f', 'false'), edge('t', 'join'), edge('f', 'join')],
      },
      { tools: [echo] },
    );
    const view = await h.exec.start();
    expect(view.nodes.t.status).toBe('skipped');
    expect(view.nodes.join).toMatchObject({ status: 'succeeded', output: { from: 'f' } });
  });

  it("fails a running node that references a skipped node's output, naming the reference", async () => {
    const h = harness(
      {
        id: 'wf', name: 'wf',
        nodes: [cond('c', true), node('t'), node('f'), node('join', { inputs: { x: '{{nodes.f.output}}' } }), node('other')],
        edges: [edge('c', 't', 'true'), edge('c', 'f', 'false'), edge('t', 'join'), edge('f', 'join')],
      },
      { tools: [echo] },
    );
    const view = await h.exec.start();
    expect(view.nodes.join).toMatchObject({ status: 'failed', error: { class: 'permanent', code: 'BAD_REFERENCE', message: expect.stringContaining('node "f" has no output') } });
    expect(view.nodes.other.status).toBe('succeeded');
  });
});

describe('map nodes', () => {
  const upper = testTool('t.upper', async (i: { word: string; at: number }) => {
    if (i.word === 'bad') throw new Error(`cannot shout "${i.word}"`);
    await new Promise((r) => setTimeout(r, i.word.length));
    return `${i.at}:${i.word.toUpperCase()}`;
  });
  const mapNode = (inputs: Record<string, unknown>) => ({ id: 'm', kind: 'map' as const, tool: 't.upper', inputs });

  it('runs the tool over each item with the item and index in scope, results in order', async () => {
    const h = harness(
      {
        id: 'wf', name: 'wf',
        nodes: [node('src', { inputs: { words: ['ccc', 'a', 'bb'] } }), mapNode({ items: '{{nodes.src.output.words}}', with: { word: '{{item}}', at: '{{index}}' } })],
        edges: [edge('src', 'm')],
      },
      { tools: [echo, upper] },
    );
    const view = await h.exec.start();
    expect(view.nodes.m.output).toEqual({ results: ['0:CCC', '1:A', '2:BB'], errors: [], succeeded: 3, failed: 0 });
  });

  it('reports failed items (null result, error, log line) and still succeeds when some items work', async () => {
    const h = harness({ id: 'wf', name: 'wf', nodes: [mapNode({ items: ['ok', 'bad', 'fine'], with: { word: '{{item}}', at: '{{index}}' } })], edges: [] }, { tools: [upper] });
    const view = await h.exec.start();
    expect(view.nodes.m.status).toBe('succeeded');
    expect(view.nodes.m.output).toEqual({ results: ['0:OK', null, '2:FINE'], errors: [{ index: 1, message: 'cannot shout "bad"' }], succeeded: 2, failed: 1 });
    expect(view.nodes.m.logs.map((l) => l.message)).toContain('item 1 failed: cannot shout "bad"');
  });

  it('fails when every item fails, and at the first failure with failFast', async () => {
    const all = harness({ id: 'wf', name: 'wf', nodes: [mapNode({ items: ['bad', 'bad'], with: { word: '{{item}}', at: 0 } })], edges: [] }, { tools: [upper] });
    expect((await all.exec.start()).nodes.m.error).toMatchObject({ code: 'MAP_ALL_FAILED', message: expect.stringContaining('all 2 items failed') });

    const ff = harness(
      { id: 'wf', name: 'wf', nodes: [mapNode({ items: ['bad', 'ok', 'ok', 'ok', 'ok', 'ok'], with: { word: '{{item}}', at: 0 }, failFast: true, concurrency: 1 })], edges: [] },
      { tools: [upper] },
    );
    const view = await ff.exec.start();
    expect(view.nodes.m.error).toMatchObject({ code: 'MAP_ITEM_FAILED', message: expect.stringContaining('item 0 failed') });
  });

  it('bounds how many items run at once by inputs.concurrency', async () => {
    let now = 0;
    let peak = 0;
    const busy = testTool('t.upper', async () => {
      peak = Math.max(peak, ++now);
      await new Promise((r) => setTimeout(r, 5));
      now--;
      return 1;
    });
    const h = harness({ id: 'wf', name: 'wf', nodes: [mapNode({ items: [1, 2, 3, 4, 5, 6, 7], concurrency: 2 })], edges: [] }, { tools: [busy] });
    expect((await h.exec.start()).nodes.m.output).toMatchObject({ succeeded: 7 });
    expect(peak).toBe(2);
  });

  it('says clearly when items is not a list', async () => {
    const h = harness({ id: 'wf', name: 'wf', nodes: [mapNode({ items: 'nope' })], edges: [] }, { tools: [upper] });
    expect((await h.exec.start()).nodes.m.error).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('inputs.items must resolve to a list, got string') });
  });
});
