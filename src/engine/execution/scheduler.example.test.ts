import { describe, expect, it } from 'vitest';
import { harness } from './scheduler.testkit';
import { builtinTools } from '../tools/builtins';

// DESIGN.md §3, copied as written.
const GREETING = {
  id: 'greeting', name: 'Greeting', version: 1,
  nodes: [
    { id: 'greet', kind: 'tool', tool: 'text.template',
      inputs: { template: 'Hello {{input.name}}' } },
    { id: 'shout', kind: 'tool', tool: 'json.transform',
      inputs: { data: '{{nodes.greet.output}}', expression: '$uppercase(text)' },
      retry: { max: 2, policy: 'transient' }, timeoutMs: 5000 },
    { id: 'long', kind: 'condition',
      inputs: { test: '{{nodes.shout.output.result}}' } },
    { id: 'pause', kind: 'tool', tool: 'util.wait', inputs: { ms: 10 } },
  ],
  edges: [
    { id: 'e1', source: 'greet', target: 'shout' },
    { id: 'e2', source: 'shout', target: 'long' },
    { id: 'e3', source: 'long', target: 'pause', branch: 'true' },
  ],
} as const;

describe('the DESIGN.md §3 example', () => {
  it('runs as written with the built-in tools', async () => {
    const h = harness(structuredClone(GREETING) as never, { tools: builtinTools(), inputs: { name: 'Ada' } });
    const view = await h.exec.start();
    expect(view.status).toBe('succeeded');
    expect(view.nodes.greet.output).toEqual({ text: 'Hello Ada' });
    expect(view.nodes.shout.output).toEqual({ result: 'HELLO ADA' });
    expect(view.nodes.long.output).toEqual({ value: 'HELLO ADA', result: true });
    expect(view.nodes.pause.status).toBe('succeeded');
  });
});
