/**
 * `awe import-run FILE`: a run exported from one data folder opens in another as a finished,
 * read-only run; a file that is not a run bundle is refused with exit code 2, saying why.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastJson, useCliSandbox } from './cli.testkit';

const cli = useCliSandbox();

const workflow = {
  id: 'hello',
  name: 'Hello',
  nodes: [{ id: 'greet', kind: 'tool', tool: 'text.template', inputs: { template: 'Hello world' } }],
  edges: [],
};

describe('awe import-run', () => {
  it('opens an exported run in another data folder; refuses a file that is not a bundle', async () => {
    const file = cli.write('hello.awe.json', workflow);
    const ran = await cli.awe('run', file, '--json');
    expect(ran.code).toBe(0);
    const { runId } = lastJson(ran.stdout);
    const zip = join(cli.dir, 'hello-run.zip');
    expect((await cli.awe('export', runId, '--out', zip)).code).toBe(0);

    const elsewhere = join(cli.dir, 'elsewhere');
    const imported = await cli.start(['import-run', zip, '--json', '--data-dir', elsewhere], { dataDir: false }).result;
    expect(imported.stderr).toBe('');
    expect(lastJson(imported.stdout)).toEqual({ runId, originalRunId: runId, status: 'succeeded' });
    const shown = await cli.start(['show', runId, '--json', '--data-dir', elsewhere], { dataDir: false }).result;
    expect(lastJson(shown.stdout)).toMatchObject({ status: 'succeeded', nodes: { greet: { status: 'succeeded', output: { text: 'Hello world' } } } });
    const rerun = await cli.start(['rerun', runId, 'greet', '--data-dir', elsewhere], { dataDir: false }).result;
    expect(rerun.code).not.toBe(0);
    expect(rerun.stderr).toMatch(/imported from hello-run.zip .*read-only/);

    const junk = cli.write('junk.zip', 'not a zip');
    const refused = await cli.start(['import-run', junk, '--data-dir', elsewhere], { dataDir: false }).result;
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/junk.zip: not a run bundle: the file is not a zip AWE can read/);
  });
});
