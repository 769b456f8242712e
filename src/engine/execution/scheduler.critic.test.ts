import { describe, expect, it } from 'vitest';
import { checkRules } from './critic';
import { harness, node, testTool } from './scheduler.testkit';

describe('critic', () => {
  it('checks required fields, non-emptiness and a regex, in words', () => {
    expect(checkRules({ requiredFields: ['title', 'body.text'] }, { title: ' ', body: {} })).toEqual([
      'required field "title" is empty',
      'required field "body.text" is missing',
    ]);
    expect(checkRules({ nonEmpty: true }, [])).toEqual(['the output is empty']);
    expect(checkRules({ regex: '^Dear', field: 'text' }, { text: 'Hi' })).toEqual(['field "text" does not match /^Dear/']);
    expect(checkRules({ regex: 'risk' }, { text: 'three risks' })).toEqual([]);
  });

  it('reworks a rejected output with the reasons as _feedback, then accepts it', async () => {
    const inputs: Record<string, unknown>[] = [];
    const writer = testTool('t.write', async (i) => (inputs.push(i), i._feedback ? { title: 'Fixed' } : { title: '' }));
    const h = harness({ id: 'wf', name: 'wf', nodes: [node('a', { tool: 't.write', inputs: { topic: 'x' }, acceptance: { requiredFields: ['title'] } })], edges: [] }, { tools: [writer] });
    const view = await h.exec.start();
    expect(view.nodes.a).toMatchObject({ status: 'succeeded', output: { title: 'Fixed' }, attempts: 2 });
    expect(inputs[1]).toMatchObject({ topic: 'x', _feedback: expect.stringContaining('required field "title" is empty') });
    expect(h.of('node.verdict').map((v) => [v.pass, v.rework, v.judge])).toEqual([[false, 0, 'rules'], [true, 1, 'rules']]);
    expect(h.of('node.status').filter((e) => e.status === 'running').map((e) => e.reason)).toEqual(['first', 'rework']);
  });

  it('fails the node with REJECTED after maxRework rejected reworks', async () => {
    let calls = 0;
    const writer = testTool('t.write', async () => (calls++, { text: 'meh' }));
    const h = harness({ id: 'wf', name: 'wf', nodes: [node('a', { tool: 't.write', acceptance: { regex: 'great', maxRework: 2 } })], edges: [] }, { tools: [writer] });
    const view = await h.exec.start();
    expect(calls).toBe(3);
    expect(view.nodes.a).toMatchObject({ status: 'failed', error: { class: 'permanent', code: 'REJECTED', message: expect.stringContaining('does not match /great/') } });
    expect(view.deadLetters).toEqual(['a']);
  });

  it('asks the LLM judge about criteria when the rules pass', async () => {
    const judged: unknown[] = [];
    const judge = async (criteria: string[], output: unknown) => {
      judged.push({ criteria, output });
      return judged.length === 1 ? { pass: false, reasons: ['mentions no risks'] } : { pass: true, reasons: [] };
    };
    const writer = testTool('t.write', async (i) => ({ text: i._feedback ? 'risk: fire' : 'all good' }));
    const h = harness({ id: 'wf', name: 'wf', nodes: [node('a', { tool: 't.write', acceptance: { criteria: ['mentions risks'], nonEmpty: true } })], edges: [] }, { tools: [writer], judge });
    const view = await h.exec.start();
    expect(judged[0]).toEqual({ criteria: ['mentions risks'], output: { text: 'all good' } });
    expect(view.nodes.a).toMatchObject({ status: 'succeeded', output: { text: 'risk: fire' }, verdict: { pass: true, judge: 'llm' } });
  });
});
