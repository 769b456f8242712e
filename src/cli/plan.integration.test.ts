/**
 * `awe plan` and `awe run --goal` with the offline planner (no key, no network), then the
 * run's output through `awe artifacts` and `awe export`.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { lastJson, useCliSandbox } from './cli.testkit';

const cli = useCliSandbox();

const GOAL = 'Clean data/items.json and remove duplicates';
const ITEMS = [{ name: ' Ada ', qty: 3 }, { name: 'Ada', qty: 3 }, { name: 'Bob', qty: 5 }, {}];

/** A workspace holding the data file the goal names. */
function workspace(): string {
  const ws = join(cli.dir, 'ws');
  mkdirSync(join(ws, 'data'), { recursive: true });
  writeFileSync(join(ws, 'data', 'items.json'), JSON.stringify(ITEMS));
  return ws;
}

describe('awe plan', () => {
  it('--out writes a valid workflow file, the same bytes for the same goal', async () => {
    const first = join(cli.dir, 'first.awe.json');
    const r = await cli.awe('plan', GOAL, '--out', first);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/wrote .*first\.awe\.json \(\d+ nodes, offline planner\)/);
    const doc = JSON.parse(readFileSync(first, 'utf8'));
    expect(doc.goal).toBe(GOAL);
    expect(doc.nodes.map((n: { tool: string }) => n.tool)).toEqual(expect.arrayContaining(['file.read', 'json.transform', 'artifact.save']));

    const valid = await cli.awe('validate', first);
    expect(valid.code).toBe(0);
    expect(valid.stdout).toMatch(/valid \(\d+ nodes\)/);

    const second = join(cli.dir, 'second.awe.json');
    expect((await cli.awe('plan', GOAL, '--planner', 'offline', '--out', second)).code).toBe(0);
    expect(readFileSync(second, 'utf8')).toBe(readFileSync(first, 'utf8'));

    // Without --out the workflow goes to stdout; --json gives the whole plan.
    const printed = await cli.awe('plan', GOAL);
    expect(printed.stdout).toBe(readFileSync(first, 'utf8'));
    const json = lastJson((await cli.awe('plan', GOAL, '--json')).stdout);
    expect(json).toMatchObject({ planner: 'offline', explanation: expect.stringMatching(/json/i), workflow: { id: doc.id } });
  });

  it('an honest explanation plan for a goal it does not understand, and clear errors', async () => {
    const vague = await cli.awe('plan', 'make everything better', '--json');
    expect(vague.code).toBe(0);
    expect(lastJson(vague.stdout).explanation).toMatch(/did not recognise what kind of task/);

    const llm = await cli.awe('plan', GOAL, '--planner', 'llm');
    expect(llm.code).toBe(1);
    expect(llm.stderr).toMatch(/planning failed: the LLM planner needs a model: set OPENAI_API_KEY/);

    const badPlanner = await cli.awe('plan', GOAL, '--planner', 'magic');
    expect(badPlanner.code).toBe(2);
    expect(badPlanner.stderr).toMatch(/--planner must be offline, llm or auto, got "magic"/);

    const runLlm = await cli.awe('run', '--goal', GOAL, '--planner', 'llm');
    expect(runLlm.code).toBe(1);
    expect(runLlm.stderr).toMatch(/^awe run: planning failed: the LLM planner needs a model/m);
    expect(runLlm.stderr).not.toMatch(/\n\s+at /);

    const noGoal = await cli.awe('plan');
    expect(noGoal.code).toBe(2);
    expect(noGoal.stderr).toMatch(/usage: awe plan "GOAL"/);
  });
});

describe('awe run --goal, then artifacts and export', () => {
  it('plans and runs offline to success; artifacts --json and the export zip hold the workflow, events and artifact bytes', async () => {
    const r = await cli.awe('run', '--goal', GOAL, '--workspace', workspace(), '--json');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/planned with the offline planner/);
    const result = lastJson(r.stdout);
    expect(result.status).toBe('succeeded');
    const runId: string = result.runId;

    const listed = await cli.awe('artifacts', runId, '--json');
    expect(listed.code).toBe(0);
    const artifacts = lastJson(listed.stdout);
    expect(artifacts).toEqual([
      expect.objectContaining({ runId, name: 'items.clean.json', mime: 'application/json', size: expect.any(Number), sha256: expect.stringMatching(/^[0-9a-f]{64}$/), path: expect.any(String) }),
    ]);
    const bytes = readFileSync(artifacts[0].path);
    expect(bytes.byteLength).toBe(artifacts[0].size);
    // Cleaned: trimmed, the duplicate and the empty entry gone.
    expect(JSON.parse(bytes.toString('utf8'))).toEqual([{ name: 'Ada', qty: 3 }, { name: 'Bob', qty: 5 }]);

    const out = join(cli.dir, 'bundle.zip');
    const exported = await cli.awe('export', runId, '--out', out);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/wrote .*bundle\.zip/);
    const files = unzipSync(readFileSync(out));
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['workflow.awe.json', 'events.jsonl', 'artifacts/items.clean.json']));
    expect(Buffer.from(files['artifacts/items.clean.json']).equals(bytes)).toBe(true);
    const workflow = JSON.parse(strFromU8(files['workflow.awe.json']));
    expect(workflow.goal).toBe(GOAL);
    const events = strFromU8(files['events.jsonl']).trim().split('\n').map((line) => JSON.parse(line));
    expect(events.every((e) => e.runId === runId)).toBe(true);
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['run.started', 'artifact.created', 'run.finished']));
    expect(events.at(-1)).toMatchObject({ type: 'run.finished', status: 'succeeded' });

    const plain = await cli.awe('artifacts', runId);
    expect(plain.stdout).toMatch(/items\.clean\.json\s+application\/json/);
  });

  it('names the problem for an unknown run or a missing --out', async () => {
    const unknown = await cli.awe('artifacts', 'r-nope', '--json');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/no run with id "r-nope"/);
    const noOut = await cli.awe('export', 'r-nope');
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toMatch(/usage: awe export RUN_ID --out PATH/);
  });
});
