/**
 * Issue 10 item 14: `awe show RUN | head -2` — the reader goes away before the CLI has
 * written everything. The CLI exits quietly: no EPIPE stack trace, the command's own code.
 */
import { describe, expect, it } from 'vitest';
import { lastJson, useCliSandbox } from './cli.testkit';

const cli = useCliSandbox();

function manyNodes(n: number) {
  const nodes = Array.from({ length: n }, (_, i) => ({ id: `step${i}`, kind: 'tool', tool: 'text.template', inputs: { template: `line ${i} ${'x'.repeat(200)}` } }));
  return { id: 'many', name: 'Many', nodes, edges: [] };
}

describe('the CLI on a closed stdout pipe', () => {
  it('show and show --json exit quietly when the reader has gone', async () => {
    const run = await cli.awe('run', cli.write('many.awe.json', manyNodes(400)), '--json');
    expect(run.code).toBe(0);
    const { runId } = lastJson(run.stdout) as { runId: string };

    for (const args of [['show', runId], ['show', runId, '--json'], ['runs']]) {
      const p = cli.start(args);
      // The reader closes its end at once, as `head` does after its lines.
      p.child.stdout!.destroy();
      const result = await p.result;
      expect(result.stderr, `awe ${args.join(' ')}`).not.toMatch(/EPIPE|Error|\n\s+at /);
      expect(result.signal).toBeNull();
      expect(result.code, `awe ${args.join(' ')}`).toBe(0);
    }
  }, 240_000);
});
