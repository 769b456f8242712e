/**
 * Issue 10 item 10: `awe run` of a workflow with no nodes exits 2 with one clear line,
 * stores no run, and `awe validate` says the same.
 */
import { describe, expect, it } from 'vitest';
import { lastJson, useCliSandbox } from './cli.testkit';

const cli = useCliSandbox();

describe('a workflow with no nodes', () => {
  it('is refused by run and validate with exit 2 and "the workflow has no nodes"', async () => {
    const file = cli.write('empty.awe.json', { id: 'empty', name: 'Empty', nodes: [], edges: [] });
    const run = await cli.awe('run', file);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('the workflow has no nodes');
    expect(run.stderr).not.toMatch(/Cannot read properties|\n\s+at /);

    const validate = await cli.awe('validate', file);
    expect(validate.code).toBe(2);
    expect(validate.stdout + validate.stderr).toContain('the workflow has no nodes');

    const runs = await cli.awe('runs', '--json');
    expect(runs.code).toBe(0);
    expect(lastJson(runs.stdout)).toEqual([]);
  }, 240_000);
});
