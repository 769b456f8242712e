/**
 * The `awe` CLI as a real child process (the compiled command, as bin/awe.mjs runs it) against a
 * real data folder: crash (SIGKILL) and resume, Ctrl-C, bad files, `--json` shapes.
 */
import { describe, expect, it } from 'vitest';
import { chainOfWaits, lastJson, useCliSandbox, waitForOutput } from './cli.testkit';

const cli = useCliSandbox();

describe('awe run', () => {
  it('runs the DESIGN.md example and ends stdout with the --json result', async () => {
    const file = cli.write('greet.awe.json', {
      id: 'greeting',
      name: 'Greeting',
      version: 1,
      nodes: [
        { id: 'greet', kind: 'tool', tool: 'text.template', inputs: { template: 'Hello {{input.name}}' } },
        { id: 'shout', kind: 'tool', tool: 'json.transform', inputs: { data: '{{nodes.greet.output}}', expression: '$uppercase(text)' } },
      ],
      edges: [{ id: 'e1', source: 'greet', target: 'shout' }],
    });
    const r = await cli.awe('run', file, '--input', 'name=Ada', '--json');
    expect(r.code).toBe(0);
    const result = lastJson(r.stdout);
    expect(result).toEqual({
      runId: expect.any(String),
      status: 'succeeded',
      nodes: {
        greet: { status: 'succeeded', attempts: 1, output: { text: 'Hello Ada' }, error: null },
        shout: { status: 'succeeded', attempts: 1, output: { result: 'HELLO ADA' }, error: null },
      },
      deadLetters: [],
    });
    const runs = lastJson((await cli.awe('runs', '--json')).stdout);
    expect(runs).toEqual([{ runId: result.runId, workflowId: 'greeting', status: 'succeeded', startedAt: expect.any(Number), finishedAt: expect.any(Number) }]);
  });

  it('exits 1 with the failed node as a dead letter', async () => {
    const file = cli.write('fail.awe.json', {
      id: 'fails',
      name: 'Fails',
      nodes: [
        { id: 'bad', kind: 'tool', tool: 'file.read', inputs: { path: 'missing.txt' } },
        { id: 'after', kind: 'tool', tool: 'util.wait', inputs: { ms: 1 } },
      ],
      edges: [{ id: 'e', source: 'bad', target: 'after' }],
    });
    const r = await cli.awe('run', file, '--json');
    expect(r.code).toBe(1);
    const result = lastJson(r.stdout);
    expect(result.status).toBe('failed');
    expect(result.deadLetters).toEqual(['bad']);
    expect(result.nodes.after.status).toBe('skipped');
    expect(result.nodes.bad.error.message).toMatch(/missing\.txt/);
  });

  it('exits 2 naming the problem for files that are not JSON, invalid, or missing', async () => {
    const notJson = await cli.awe('run', cli.write('broken.awe.json', '{ "id": "x", nodes: ['));
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/broken\.awe\.json is not a valid workflow[\s\S]*not valid JSON/);

    const deep = await cli.awe('validate', cli.write('deep.awe.json', `{"id":"d","nodes":${'['.repeat(10_000)}${']'.repeat(10_000)}}`));
    expect(deep.code).toBe(2);
    expect(deep.stderr).toMatch(/nested \d+ levels deep/);

    const invalid = await cli.awe(
      'validate',
      cli.write('invalid.awe.json', {
        id: 'bad',
        name: 'Bad',
        nodes: [{ id: 'a', kind: 'tool', tool: 'no.such.tool' }],
        edges: [{ id: 'e1', source: 'a', target: 'ghost' }],
      }),
    );
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/no\.such\.tool/);
    expect(invalid.stderr).toMatch(/ghost/);

    const missing = await cli.awe('run', `${cli.dir}/nope.awe.json`);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.awe\.json: no such file/);

    const badInput = await cli.awe('run', cli.write('ok.awe.json', chainOfWaits(1)), '--input', 'novalue');
    expect(badInput.code).toBe(2);
    expect(badInput.stderr).toMatch(/--input expects key=value, got "novalue"/);
  });
});

describe('crash and resume', () => {
  it('resumes a SIGKILLed run without losing or re-executing any finished node', async () => {
    // c waits 2 s: the kill lands before the run ends even when this process reads b's line late
    // (with 300 ms for c and d, a 600 ms stall here would have let the run finish first).
    const chain = chainOfWaits(300);
    chain.nodes.find((n) => n.id === 'c')!.inputs.ms = 2_000;
    const file = cli.write('chain.awe.json', chain);
    const run = cli.start(['run', file]);
    await waitForOutput(run.output, /✓ b succeeded/);
    run.child.kill('SIGKILL');
    const killed = await run.result;
    expect(killed.signal).toBe('SIGKILL');
    const runId = /run (\S+) of chain started/.exec(killed.stdout)![1];
    const finishedBeforeKill = ['a', 'b', 'c', 'd'].filter((id) => new RegExp(`✓ ${id} succeeded`).test(killed.stdout));
    expect(finishedBeforeKill).toEqual(expect.arrayContaining(['a', 'b']));

    const before = lastJson((await cli.awe('show', runId, '--json')).stdout);
    expect(before.status).toBe('running');
    for (const id of finishedBeforeKill) expect(before.nodes[id]).toMatchObject({ status: 'succeeded', attempts: 1 });

    const resumed = await cli.awe('resume', '--json');
    expect(resumed.code).toBe(0);
    expect(lastJson(resumed.stdout)).toEqual([expect.objectContaining({ runId, status: 'succeeded' })]);

    const after = lastJson((await cli.awe('show', runId, '--json')).stdout);
    expect(after.status).toBe('succeeded');
    for (const id of ['a', 'b', 'c', 'd']) expect(after.nodes[id].status).toBe('succeeded');
    // Finished before the kill: executed exactly once, never again.
    for (const id of finishedBeforeKill) expect(after.nodes[id].attempts).toBe(1);
    for (const id of finishedBeforeKill) expect(after.nodes[id].output).toEqual(before.nodes[id].output);
  });

  it('Ctrl-C cancels the run, records it as cancelled and exits 130', async () => {
    const file = cli.write('slow.awe.json', chainOfWaits(10_000));
    const run = cli.start(['run', file]);
    await waitForOutput(run.output, /▶ a running/);
    run.child.kill('SIGINT');
    const r = await run.result;
    expect(r.code).toBe(130);
    const runId = /run (\S+) of chain started/.exec(r.stdout)![1];
    const shown = lastJson((await cli.awe('show', runId, '--json')).stdout);
    expect(shown.status).toBe('cancelled');
    expect(shown.nodes.a.status).toBe('cancelled');
    expect(shown.nodes.d.status).toBe('cancelled');
  });

  it('cancels a run whose process died, and rerun keeps the other outputs', async () => {
    const file = cli.write('chain.awe.json', chainOfWaits(2_000));
    const run = cli.start(['run', file]);
    await waitForOutput(run.output, /▶ a running/);
    run.child.kill('SIGKILL');
    const killed = await run.result;
    const runId = /run (\S+) of chain started/.exec(killed.stdout)![1];
    const cancel = await cli.awe('cancel', runId);
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toMatch(/cancelled/);
    expect(lastJson((await cli.awe('show', runId, '--json')).stdout).status).toBe('cancelled');
  });
  it('cancel from a second process stops a run its own process is executing', async () => {
    const run = cli.start(['run', cli.write('slow.awe.json', chainOfWaits(10_000))]);
    const [, runId] = await waitForOutput(run.output, /run (\S+) of chain started[\s\S]*▶ a running/);
    const cancel = await cli.awe('cancel', runId);
    expect(cancel.code).toBe(0);
    // `awe cancel` waits up to a lease heartbeat to tell a live owner from a dead one; the live owner may have stopped the run by then.
    expect(cancel.stdout).toMatch(new RegExp(`cancel requested; the process running ${runId} stops it|run ${runId} cancelled`));
    const r = await run.result;
    // Cancelled from outside is not a success: exit 1, recorded as cancelled.
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(`run ${runId}: cancelled`);
    const shown = lastJson((await cli.awe('show', runId, '--json')).stdout);
    expect(shown.status).toBe('cancelled');
    expect(shown.nodes.b.status).toBe('cancelled');
  });
});

describe('rerun', () => {
  it('reruns one node with --only and leaves the others untouched', async () => {
    const file = cli.write('chain.awe.json', chainOfWaits(1));
    const first = lastJson((await cli.awe('run', file, '--json')).stdout);
    const r = await cli.awe('rerun', first.runId, 'b', '--only', '--json');
    expect(r.code).toBe(0);
    const result = lastJson(r.stdout);
    expect(result.status).toBe('succeeded');
    expect(result.nodes.b.attempts).toBe(2);
    expect(result.nodes.a.attempts).toBe(1);
    expect(result.nodes.c.attempts).toBe(1);
    expect(result.nodes.c.output).toEqual(first.nodes.c.output);

    const unknown = await cli.awe('rerun', first.runId, 'zz');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no node "zz"/);
  });
});
