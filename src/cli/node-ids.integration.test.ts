/**
 * Issue 10 item 12: nodes whose ids name Object.prototype members (`__proto__`,
 * `constructor`) run and stay visible in `run --json` and `show`.
 */
import { describe, expect, it } from 'vitest';
import { lastJson, useCliSandbox } from './cli.testkit';

const cli = useCliSandbox();

const workflow = {
  id: 'odd-ids',
  name: 'Odd ids',
  nodes: [
    { id: '__proto__', kind: 'tool', tool: 'text.template', inputs: { template: 'first' } },
    { id: 'constructor', kind: 'tool', tool: 'text.template', inputs: { template: '{{nodes.__proto__.output.text}} then second' } },
  ],
  edges: [{ id: 'e1', source: '__proto__', target: 'constructor' }],
};

describe('node ids like __proto__', () => {
  it('appear in run --json, show and show --json', async () => {
    const file = cli.write('odd.awe.json', workflow);
    const run = await cli.awe('run', file, '--json');
    expect(run.code).toBe(0);
    const result = lastJson(run.stdout) as { runId: string; nodes: Record<string, { status: string; output: unknown }> };
    expect(Object.keys(result.nodes)).toEqual(['__proto__', 'constructor']);
    expect(result.nodes.constructor).toMatchObject({ status: 'succeeded', output: { text: 'first then second' } });

    const show = await cli.awe('show', result.runId);
    expect(show.code).toBe(0);
    expect(show.stdout).toMatch(/^\s+__proto__\s+succeeded/m);
    expect(show.stdout).toMatch(/^\s+constructor\s+succeeded/m);

    const shown = lastJson((await cli.awe('show', result.runId, '--json')).stdout) as { nodes: Record<string, unknown> };
    expect(Object.keys(shown.nodes)).toEqual(['__proto__', 'constructor']);
  }, 240_000);
});
