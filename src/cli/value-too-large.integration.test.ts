/**
 * Issue 10 item 1 through the CLI: a template past V8's string limit (as JSON) made
 * `awe run` exit 1 with a RangeError stack, left the run `running` and crashed every
 * `awe resume`. Now the node fails with VALUE_TOO_LARGE, the run is finished, resume is fine.
 */
import { describe, expect, it } from 'vitest';
import { lastJson, useCliSandbox } from './cli.testkit';

const cli = useCliSandbox();

const workflow = {
  id: 'huge',
  name: 'Huge template',
  nodes: [
    // 500,000 quotes (under the 1 MiB output cap as JSON), then 700 references to them.
    { id: 'seed', kind: 'tool', tool: 'text.template', inputs: { template: '"'.repeat(500_000) } },
    { id: 'blowup', kind: 'tool', tool: 'text.template', inputs: { template: '{{nodes.seed.output.text}}'.repeat(700) } },
  ],
  edges: [{ id: 'e1', source: 'seed', target: 'blowup' }],
};

describe('awe run with a value too large to record', () => {
  it('fails the node with VALUE_TOO_LARGE, finishes the run and leaves nothing to resume', async () => {
    const run = await cli.awe('run', cli.write('huge.awe.json', workflow), '--json');
    expect(run.stderr).not.toMatch(/RangeError|Invalid string length|\n\s+at /);
    expect(run.code).toBe(1);
    const result = lastJson(run.stdout) as { runId: string; status: string; nodes: Record<string, { status: string; error: { code?: string; message: string } | null }> };
    expect(result.status).toBe('failed');
    expect(result.nodes.seed.status).toBe('succeeded');
    expect(result.nodes.blowup).toMatchObject({ status: 'failed', error: { code: 'VALUE_TOO_LARGE' } });
    expect(result.nodes.blowup.error!.message).toMatch(/at least 350,000,\d{3} characters as JSON/);

    const show = await cli.awe('show', result.runId, '--json');
    const shown = lastJson(show.stdout) as { status: string };
    expect(shown.status).toBe('failed');
    const resume = await cli.awe('resume');
    expect(resume.stderr).toBe('');
    expect(resume.code).toBe(0);
    expect(resume.stdout).toContain('no interrupted runs');
  }, 240_000);
});
