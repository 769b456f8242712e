/**
 * `awe approve` from a second process while `awe run` waits on a `human.approve` node:
 * approval, rejection, and approval after the run's own process was killed.
 */
import { describe, expect, it } from 'vitest';
import { lastJson, useCliSandbox, waitForOutput } from './cli.testkit';

const cli = useCliSandbox();

/** prepare → ask (human.approve) → publish: publish only runs once a person said yes. */
const gated = {
  id: 'gated',
  name: 'Gated publish',
  nodes: [
    { id: 'prepare', kind: 'tool', tool: 'text.template', inputs: { template: 'release {{input.version}}' } },
    { id: 'ask', kind: 'tool', tool: 'human.approve', inputs: { message: 'Publish {{nodes.prepare.output.text}}?' } },
    { id: 'publish', kind: 'tool', tool: 'text.template', inputs: { template: 'published {{nodes.prepare.output.text}}' } },
  ],
  edges: [
    { id: 'e1', source: 'prepare', target: 'ask' },
    { id: 'e2', source: 'ask', target: 'publish' },
  ],
  settings: { inputs: { version: { type: 'string', default: '1.0' } } },
};

/** Starts `awe run` on the gated workflow and returns once it waits for approval. */
async function runUntilWaiting() {
  const run = cli.start(['run', cli.write('gated.awe.json', gated), '--json']);
  const [, runId] = await waitForOutput(run.output, /waits for approval: Publish release 1\.0\?\s+\(awe approve (\S+) ask/);
  return { run, runId };
}

describe('awe approve', () => {
  it('approving from a second process lets the waiting run finish (exit 0)', async () => {
    const { run, runId } = await runUntilWaiting();
    const shown = lastJson((await cli.awe('show', runId, '--json')).stdout);
    expect(shown.nodes.ask.status).toBe('waiting');
    expect(shown.nodes.publish.status).not.toBe('succeeded');

    const approve = await cli.awe('approve', runId, 'ask', '--comment', 'ship it');
    expect(approve.code).toBe(0);
    expect(approve.stderr).toMatch(`approved ask of run ${runId}`);
    // Not a stale "waiting" summary: either the owner continues it, or (if it was that quick) it is done.
    expect(approve.stdout).toMatch(new RegExp(`run ${runId}( continues in the process that is running it|: succeeded)`));

    const r = await run.result;
    expect(r.code).toBe(0);
    const result = lastJson(r.stdout);
    expect(result.runId).toBe(runId);
    expect(result.status).toBe('succeeded');
    expect(result.nodes.ask.output).toEqual({ approved: true, comment: 'ship it' });
    expect(result.nodes.publish.output).toEqual({ text: 'published release 1.0' });
  });

  it('--reject fails the node for good with REJECTED and the run exits 1', async () => {
    const { run, runId } = await runUntilWaiting();
    const reject = await cli.awe('approve', runId, 'ask', '--reject', '--comment', 'not today');
    expect(reject.code).toBe(0);
    expect(reject.stderr).toMatch(`rejected ask of run ${runId}`);

    const r = await run.result;
    expect(r.code).toBe(1);
    const result = lastJson(r.stdout);
    expect(result.status).toBe('failed');
    expect(result.deadLetters).toEqual(['ask']);
    expect(result.nodes.ask).toMatchObject({ status: 'failed', attempts: 1, error: { class: 'permanent', code: 'REJECTED' } });
    expect(result.nodes.ask.error.message).toMatch(/not today/);
    expect(result.nodes.publish.status).toBe('skipped');

    // A decided node is no longer waiting: a second answer is refused, naming the state.
    const again = await cli.awe('approve', runId, 'ask');
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/not waiting for approval \(it is failed\)/);
  });

  it('approving after the owning process was killed finishes the run in the approving process', async () => {
    const { run, runId } = await runUntilWaiting();
    run.child.kill('SIGKILL');
    expect((await run.result).signal).toBe('SIGKILL');

    const approve = await cli.awe('approve', runId, 'ask', '--json');
    expect(approve.code).toBe(0);
    const result = lastJson(approve.stdout);
    expect(result).toMatchObject({ runId, status: 'succeeded', deadLetters: [] });
    expect(result.nodes.publish.output).toEqual({ text: 'published release 1.0' });
    // Finished before the kill: not executed again.
    expect(result.nodes.prepare.attempts).toBe(1);

    const shown = lastJson((await cli.awe('show', runId, '--json')).stdout);
    expect(shown.status).toBe('succeeded');
  });

  it('names the problem for an unknown run or node', async () => {
    const unknownRun = await cli.awe('approve', 'r-nope', 'ask');
    expect(unknownRun.code).toBe(2);
    expect(unknownRun.stderr).toMatch(/no run with id "r-nope"/);

    const { run, runId } = await runUntilWaiting();
    const unknownNode = await cli.awe('approve', runId, 'ghost');
    expect(unknownNode.code).toBe(2);
    expect(unknownNode.stderr).toMatch(/has no node "ghost"/);
    run.child.kill('SIGINT');
    expect((await run.result).code).toBe(130);
  });
});
