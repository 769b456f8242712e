/**
 * The `awe` CLI as a real child process (Node 22 under vitest, tsx loader) against a
 * real data folder: crash (SIGKILL) and resume, Ctrl-C, bad files, `--json` shapes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const ROOT = resolve(__dirname, '../..');
const CLI = join(ROOT, 'src/cli/index.ts');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'awe-cli-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(args: string[]): { child: ChildProcess; result: Promise<Result>; output: () => string } {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args, '--data-dir', join(dir, 'data')], {
    cwd: ROOT,
    env: { ...process.env, AWE_MCP_CONFIG: '', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => (stdout += d));
  child.stderr!.on('data', (d) => (stderr += d));
  const result = new Promise<Result>((res) => child.on('exit', (code, signal) => res({ code, signal, stdout, stderr })));
  return { child, result, output: () => stdout + stderr };
}

const awe = (...args: string[]) => start(args).result;

async function waitForOutput(output: () => string, pattern: RegExp, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pattern.test(output())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; output so far:\n${output()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const lastJson = (stdout: string) => JSON.parse(stdout.trim().split('\n').at(-1)!);

function writeWorkflow(name: string, doc: unknown): string {
  const file = join(dir, name);
  writeFileSync(file, typeof doc === 'string' ? doc : JSON.stringify(doc));
  return file;
}

/** a → b → c → d, each waiting `ms`: slow enough to kill mid-way. */
const chain = (ms: number) => ({
  id: 'chain',
  name: 'Chain of waits',
  nodes: ['a', 'b', 'c', 'd'].map((id) => ({ id, kind: 'tool', tool: 'util.wait', inputs: { ms } })),
  edges: [
    { id: 'ab', source: 'a', target: 'b' },
    { id: 'bc', source: 'b', target: 'c' },
    { id: 'cd', source: 'c', target: 'd' },
  ],
});

describe('awe run', () => {
  it('runs the DESIGN.md example and ends stdout with the --json result', async () => {
    const file = writeWorkflow('greet.awe.json', {
      id: 'greeting',
      name: 'Greeting',
      version: 1,
      nodes: [
        { id: 'greet', kind: 'tool', tool: 'text.template', inputs: { template: 'Hello {{input.name}}' } },
        { id: 'shout', kind: 'tool', tool: 'json.transform', inputs: { data: '{{nodes.greet.output}}', expression: '$uppercase(text)' } },
      ],
      edges: [{ id: 'e1', source: 'greet', target: 'shout' }],
    });
    const r = await awe('run', file, '--input', 'name=Ada', '--json');
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
    const runs = lastJson((await awe('runs', '--json')).stdout);
    expect(runs).toEqual([{ runId: result.runId, workflowId: 'greeting', status: 'succeeded', startedAt: expect.any(Number), finishedAt: expect.any(Number) }]);
  });

  it('exits 1 with the failed node as a dead letter', async () => {
    const file = writeWorkflow('fail.awe.json', {
      id: 'fails',
      name: 'Fails',
      nodes: [
        { id: 'bad', kind: 'tool', tool: 'file.read', inputs: { path: 'missing.txt' } },
        { id: 'after', kind: 'tool', tool: 'util.wait', inputs: { ms: 1 } },
      ],
      edges: [{ id: 'e', source: 'bad', target: 'after' }],
    });
    const r = await awe('run', file, '--json');
    expect(r.code).toBe(1);
    const result = lastJson(r.stdout);
    expect(result.status).toBe('failed');
    expect(result.deadLetters).toEqual(['bad']);
    expect(result.nodes.after.status).toBe('skipped');
    expect(result.nodes.bad.error.message).toMatch(/missing\.txt/);
  });

  it('exits 2 naming the problem for files that are not JSON, invalid, or missing', async () => {
    const notJson = await awe('run', writeWorkflow('broken.awe.json', '{ "id": "x", nodes: ['));
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/broken\.awe\.json is not a valid workflow[\s\S]*not valid JSON/);

    const deep = await awe('validate', writeWorkflow('deep.awe.json', `{"id":"d","nodes":${'['.repeat(10_000)}${']'.repeat(10_000)}}`));
    expect(deep.code).toBe(2);
    expect(deep.stderr).toMatch(/nested \d+ levels deep/);

    const invalid = await awe(
      'validate',
      writeWorkflow('invalid.awe.json', {
        id: 'bad',
        name: 'Bad',
        nodes: [{ id: 'a', kind: 'tool', tool: 'no.such.tool' }],
        edges: [{ id: 'e1', source: 'a', target: 'ghost' }],
      }),
    );
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/no\.such\.tool/);
    expect(invalid.stderr).toMatch(/ghost/);

    const missing = await awe('run', join(dir, 'nope.awe.json'));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.awe\.json: no such file/);

    const badInput = await awe('run', writeWorkflow('ok.awe.json', chain(1)), '--input', 'novalue');
    expect(badInput.code).toBe(2);
    expect(badInput.stderr).toMatch(/--input expects key=value, got "novalue"/);
  });
});

describe('crash and resume', () => {
  it('resumes a SIGKILLed run without losing or re-executing any finished node', async () => {
    const file = writeWorkflow('chain.awe.json', chain(300));
    const run = start(['run', file]);
    await waitForOutput(run.output, /✓ b succeeded/);
    run.child.kill('SIGKILL');
    const killed = await run.result;
    expect(killed.signal).toBe('SIGKILL');
    const runId = /run (\S+) of chain started/.exec(killed.stdout)![1];
    const finishedBeforeKill = ['a', 'b', 'c', 'd'].filter((id) => new RegExp(`✓ ${id} succeeded`).test(killed.stdout));
    expect(finishedBeforeKill).toEqual(expect.arrayContaining(['a', 'b']));

    const before = lastJson((await awe('show', runId, '--json')).stdout);
    expect(before.status).toBe('running');
    for (const id of finishedBeforeKill) expect(before.nodes[id]).toMatchObject({ status: 'succeeded', attempts: 1 });

    const resumed = await awe('resume', '--json');
    expect(resumed.code).toBe(0);
    expect(lastJson(resumed.stdout)).toEqual([expect.objectContaining({ runId, status: 'succeeded' })]);

    const after = lastJson((await awe('show', runId, '--json')).stdout);
    expect(after.status).toBe('succeeded');
    for (const id of ['a', 'b', 'c', 'd']) expect(after.nodes[id].status).toBe('succeeded');
    // Finished before the kill: executed exactly once, never again.
    for (const id of finishedBeforeKill) expect(after.nodes[id].attempts).toBe(1);
    for (const id of finishedBeforeKill) expect(after.nodes[id].output).toEqual(before.nodes[id].output);
  });

  it('Ctrl-C cancels the run, records it as cancelled and exits 130', async () => {
    const file = writeWorkflow('slow.awe.json', chain(10_000));
    const run = start(['run', file]);
    await waitForOutput(run.output, /▶ a running/);
    run.child.kill('SIGINT');
    const r = await run.result;
    expect(r.code).toBe(130);
    const runId = /run (\S+) of chain started/.exec(r.stdout)![1];
    const shown = lastJson((await awe('show', runId, '--json')).stdout);
    expect(shown.status).toBe('cancelled');
    expect(shown.nodes.a.status).toBe('cancelled');
    expect(shown.nodes.d.status).toBe('cancelled');
  });

  it('cancels a run whose process died, and rerun keeps the other outputs', async () => {
    const file = writeWorkflow('chain.awe.json', chain(2_000));
    const run = start(['run', file]);
    await waitForOutput(run.output, /▶ a running/);
    run.child.kill('SIGKILL');
    const killed = await run.result;
    const runId = /run (\S+) of chain started/.exec(killed.stdout)![1];
    const cancel = await awe('cancel', runId);
    expect(cancel.code).toBe(0);
    expect(cancel.stdout).toMatch(/cancelled/);
    expect(lastJson((await awe('show', runId, '--json')).stdout).status).toBe('cancelled');
  });
});

describe('rerun', () => {
  it('reruns one node with --only and leaves the others untouched', async () => {
    const file = writeWorkflow('chain.awe.json', chain(1));
    const first = lastJson((await awe('run', file, '--json')).stdout);
    const r = await awe('rerun', first.runId, 'b', '--only', '--json');
    expect(r.code).toBe(0);
    const result = lastJson(r.stdout);
    expect(result.status).toBe('succeeded');
    expect(result.nodes.b.attempts).toBe(2);
    expect(result.nodes.a.attempts).toBe(1);
    expect(result.nodes.c.attempts).toBe(1);
    expect(result.nodes.c.output).toEqual(first.nodes.c.output);

    const unknown = await awe('rerun', first.runId, 'zz');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no node "zz"/);
  });
});
