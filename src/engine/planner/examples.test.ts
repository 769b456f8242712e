import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { builtinRegistry, builtinValidate } from '../../../tests/support/catalog';
import { runOnEngine } from '../../../tests/support/run-on-engine';
import { Workflow } from '../../contract';

const EXAMPLES = path.resolve(__dirname, '../../../resources/examples');
/** Examples that reach the network or need a model: validated, never run offline. */
const NEEDS_NETWORK = new Set(['url-research-summary.awe.json']);

const registry = builtinRegistry();
const validate = builtinValidate(registry);

async function load(file: string): Promise<Workflow> {
  return Workflow.parse(JSON.parse(await readFile(path.join(EXAMPLES, file), 'utf8')));
}

const dirs: string[] = [];
afterEach(async () => {
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })));
});
async function runExample(file: string, opts: { approve?: boolean } = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'awe-example-'));
  dirs.push(dir);
  return runOnEngine(await load(file), { workspaceDir: dir, approve: opts.approve });
}

describe('resources/examples', () => {
  it('has at least six examples, each valid by the schema and the engine validator', async () => {
    const files = (await readdir(EXAMPLES)).filter((f) => f.endsWith('.awe.json')).sort();
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const file of files) {
      const doc = JSON.parse(await readFile(path.join(EXAMPLES, file), 'utf8'));
      expect(Workflow.safeParse(doc).success, file).toBe(true);
      expect(validate(doc).problems, file).toEqual([]);
    }
  });

  it('the network example says so in its name and node description', async () => {
    const w = await load('url-research-summary.awe.json');
    expect(w.name).toMatch(/needs network/i);
    expect(w.nodes.find((n) => n.tool === 'http.fetch')?.description).toMatch(/NEEDS NETWORK/);
    expect(NEEDS_NETWORK.size).toBe(1);
  });

  it('code review report: finds the TODO, FIXME, debug output, long line and trailing space', async () => {
    const run = await runExample('code-review.awe.json');
    const report = run.artifacts.find((a) => a.name === 'review.md')!.content;
    expect(report).toContain('5 finding(s)');
    for (const rule of ['todo', 'long-line', 'debug-output', 'trailing-space']) expect(report).toContain(`— ${rule}:`);
  });

  it('data cleaning: the condition takes the "rows removed" branch and saves the cleaned CSV', async () => {
    const run = await runExample('data-cleaning.awe.json');
    expect(run.skipped).toEqual(['note_unchanged']);
    expect(run.artifacts.map((a) => a.name)).toEqual(['cleaned.csv']);
    expect(run.artifacts[0].content).toBe('name,city,orders\nAda,London,3\nGrace,New York,7\nLinus,Helsinki,12\n');
  });

  it('document generation: release notes grouped by change type', async () => {
    const run = await runExample('document-generation.awe.json');
    const doc = run.artifacts[0].content;
    expect(doc).toMatch(/^# AWE 0\.1\.0 release notes/);
    expect(doc).toContain('## Breaking changes\n\n- Node ids must start');
  });

  it('ops runbook: a person approves before it is published; a rejection publishes nothing', async () => {
    const run = await runExample('ops-runbook.awe.json');
    expect(run.approvals[0]).toContain('Publish this runbook for billing-api?');
    expect(run.artifacts[0].content).toContain('# Deploy billing-api to production');
    await expect(runExample('ops-runbook.awe.json', { approve: false })).rejects.toThrow(/rejected/);
  });

  it('map over files: writes the sample notes with a map, reads them with a map, indexes them', async () => {
    const run = await runExample('map-over-files.awe.json');
    expect((run.outputs.seed as { succeeded: number }).succeeded).toBe(3);
    const index = run.artifacts[0].content;
    expect(index).toContain('3 files');
    expect(index).toContain('| notes/2024-01-meeting.md |');
    expect(index).toContain('January planning');
    expect(index).toContain('Ideas \\| backlog');
    expect(index).toContain('notes/archive/old.txt');
  });
});
