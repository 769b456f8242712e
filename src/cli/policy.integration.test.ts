/**
 * The policy gate and the workspace, headless: `awe run` refuses write/network tools
 * unless `--allow` names them, and `--workspace DIR` is where the file tools work.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastJson, useCliSandbox, waitForOutput } from './cli.testkit';

const cli = useCliSandbox();

/** [pause →] write → read back: the write needs `--allow file.write` headless. */
const writer = (pauseMs = 0) => ({
  id: 'writer',
  name: 'Write notes',
  nodes: [
    ...(pauseMs ? [{ id: 'pause', kind: 'tool', tool: 'util.wait', inputs: { ms: pauseMs } }] : []),
    { id: 'write', kind: 'tool', tool: 'file.write', inputs: { path: 'out/notes.txt', content: 'hello workspace' } },
    { id: 'read', kind: 'tool', tool: 'file.read', inputs: { path: 'out/notes.txt' } },
  ],
  edges: [...(pauseMs ? [{ id: 'p', source: 'pause', target: 'write' }] : []), { id: 'e', source: 'write', target: 'read' }],
});

describe('policy gate, headless', () => {
  it('refuses file.write without --allow, naming the tool and the flag, and writes nothing', async () => {
    const r = await cli.awe('run', cli.write('writer.awe.json', writer()), '--workspace', join(cli.dir, 'ws'), '--json');
    expect(r.code).toBe(1);
    const result = lastJson(r.stdout);
    expect(result.status).toBe('failed');
    expect(result.deadLetters).toEqual(['write']);
    expect(result.nodes.write).toMatchObject({ status: 'failed', error: { class: 'permanent', code: 'POLICY' } });
    expect(result.nodes.write.error.message).toMatch(/file\.write has write effects.*--allow file\.write/);
    // A refusal is a failure the person sees, never a silent skip of the write.
    expect(result.nodes.read.status).toBe('skipped');
    expect(existsSync(join(cli.dir, 'ws', 'out', 'notes.txt'))).toBe(false);

    const plain = await cli.awe('run', cli.write('writer.awe.json', writer()));
    expect(plain.code).toBe(1);
    expect(plain.stdout).toMatch(/failed: write — file\.write has write effects.*--allow file\.write/);
  });

  it('runs with --allow file.write, writing into the --workspace folder', async () => {
    const ws = join(cli.dir, 'ws');
    const r = await cli.awe('run', cli.write('writer.awe.json', writer()), '--allow', 'file.write', '--workspace', ws, '--json');
    expect(r.code).toBe(0);
    const result = lastJson(r.stdout);
    expect(result.status).toBe('succeeded');
    expect(result.nodes.read.output.text).toBe('hello workspace');
    expect(readFileSync(join(ws, 'out', 'notes.txt'), 'utf8')).toBe('hello workspace');
  });

  it('without --workspace gives each run a fresh folder under the data folder', async () => {
    const r = await cli.awe('run', cli.write('writer.awe.json', writer()), '--allow', 'file.write', '--json');
    expect(r.code).toBe(0);
    const { runId } = lastJson(r.stdout);
    expect(readFileSync(join(cli.dataDir, 'workspaces', runId, 'out', 'notes.txt'), 'utf8')).toBe('hello workspace');
  });

  it('keeps the run’s --allow when a crashed run is resumed', async () => {
    const ws = join(cli.dir, 'ws');
    const run = cli.start(['run', cli.write('writer.awe.json', writer(1_500)), '--allow', 'file.write', '--workspace', ws]);
    const [, runId] = await waitForOutput(run.output, /run (\S+) of writer started[\s\S]*▶ pause running/);
    run.child.kill('SIGKILL');
    await run.result;

    const resumed = await cli.awe('resume', runId, '--json');
    expect(resumed.code).toBe(0);
    expect(lastJson(resumed.stdout)).toMatchObject({ runId, status: 'succeeded' });
    expect(readFileSync(join(ws, 'out', 'notes.txt'), 'utf8')).toBe('hello workspace');
  });
});
