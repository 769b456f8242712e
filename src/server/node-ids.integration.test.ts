/**
 * Issue 10 item 12: a node called `__proto__` stays in the REST view of its run.
 */
import { describe, expect, it } from 'vitest';
import { useTestServer } from './test-engine.testkit';

const TOKEN = 'node-ids-test-token';
const server = useTestServer({ token: TOKEN });

describe('GET /api/runs/:id with a node called __proto__', () => {
  it('lists the node with its status and output', async () => {
    const workflow = {
      id: 'proto',
      name: 'Proto',
      nodes: [
        { id: '__proto__', kind: 'tool', tool: 'text.template', inputs: { template: 'hi' } },
        { id: 'after', kind: 'tool', tool: 'text.template', inputs: { template: '{{nodes.__proto__.output.text}}!' } },
      ],
      edges: [{ id: 'e', source: '__proto__', target: 'after' }],
    };
    const started = await server.api('POST', '/api/runs', { workflow });
    expect(started.status).toBeLessThan(300);
    const runId = started.body.run_id ?? started.body.runId;
    let run: Record<string, any> = {};
    for (let i = 0; i < 200; i++) {
      run = (await server.api('GET', `/api/runs/${runId}`)).body;
      if (run.status !== 'running') break;
      await new Promise((r) => setTimeout(r, 25));
    }
    expect(run.status).toBe('succeeded');
    expect(Object.keys(run.nodes)).toEqual(['__proto__', 'after']);
    expect(run.nodes.__proto__).toMatchObject({ status: 'succeeded', output: { text: 'hi' } });
  });
});
