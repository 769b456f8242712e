/**
 * `awe show RUN --scorecard [--json]` after a real `awe run`.
 */
import { describe, expect, it } from 'vitest';
import { Scorecard } from '../contract';
import { useCliSandbox } from './cli.testkit';

const cli = useCliSandbox();

describe('awe show --scorecard', () => {
  it('prints the scorecard of a failed run, as text and as JSON', async () => {
    const file = cli.write('fails.awe.json', {
      id: 'fails',
      name: 'Fails',
      nodes: [
        { id: 'greet', kind: 'tool', tool: 'text.template', inputs: { template: 'Hello' } },
        { id: 'read', kind: 'tool', tool: 'file.read', inputs: { path: 'missing.txt' } },
      ],
      edges: [{ id: 'e1', source: 'greet', target: 'read' }],
    });
    const run = await cli.awe('run', file, '--json');
    expect(run.code).toBe(1);
    const runId = JSON.parse(run.stdout.trim().split('\n').at(-1)!).runId as string;

    const json = await cli.awe('show', runId, '--scorecard', '--json');
    expect(json.code).toBe(0);
    const card = Scorecard.parse(JSON.parse(json.stdout.trim().split('\n').at(-1)!));
    expect(card.status).toBe('failed');
    expect(card.failure).toMatchObject({ nodeId: 'read', stage: 2 });
    expect(card.nodes.map((n) => [n.nodeId, n.status])).toEqual([
      ['greet', 'succeeded'],
      ['read', 'failed'],
    ]);

    const text = await cli.awe('show', runId, '--scorecard');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(`run ${runId} (Fails): failed`);
    expect(text.stdout).toMatch(/failed at\s+read, stage 2/);
    expect(text.stdout).toMatch(/critical path\s+greet → read/);
  }, 120_000);
});
