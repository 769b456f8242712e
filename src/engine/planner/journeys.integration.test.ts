/**
 * The journeys' goals (docs: /work/shared/JOURNEYS.md 1 and 2) planned offline and RUN on
 * the real engine against a workspace holding the journey's files: the plan must do what
 * the sentence says, not a generic version of it.
 */
import { describe, expect, it } from 'vitest';
import { builtinCatalog, builtinRegistry, builtinValidate } from '../../../tests/support/catalog';
import { runOnEngine } from '../../../tests/support/run-on-engine';
import { useTempWorkspaces } from '../../../tests/support/temp-workspace';
import { planOffline } from './offline';

const catalog = builtinCatalog();
const validate = builtinValidate(builtinRegistry());

const workspace = useTempWorkspaces('awe-journeys-');

function plan(goal: string) {
  const p = planOffline(goal, catalog);
  expect(validate(p.workflow).problems).toEqual([]);
  return p;
}

const Q3_SALES = 'region,rep,amount\nnorth,ann,120.5\nsouth,bob,\neast,cid,88\nwest,dee, \nnorth,eve,42\nsouth,fay,n/a\n';

describe('journey 2: the analyst with a messy CSV', () => {
  it('"clean q3-sales.csv, drop rows without an amount, save as JSON" saves JSON without the rows lacking an amount', async () => {
    const p = plan('clean q3-sales.csv, drop rows without an amount, save as JSON');
    const save = p.workflow.nodes.find((n) => n.tool === 'artifact.save')!;
    expect(save.inputs.format).toBe('json');
    expect(p.explanation).toContain('drops rows without amount');
    const run = await runOnEngine(p.workflow, { workspaceDir: await workspace({ 'q3-sales.csv': Q3_SALES }) });
    expect(run.artifacts.map((a) => a.name)).toEqual(['q3-sales.clean.json']);
    expect(JSON.parse(run.artifacts[0].content)).toEqual([
      { region: 'north', rep: 'ann', amount: 120.5 },
      { region: 'east', rep: 'cid', amount: 88 },
      { region: 'north', rep: 'eve', amount: 42 },
    ]);
  });

  it('a filter on a column the file does not have fails in words, naming the columns it has', async () => {
    const p = plan('clean q3-sales.csv, drop rows without a price, save as JSON');
    await expect(runOnEngine(p.workflow, { workspaceDir: await workspace({ 'q3-sales.csv': Q3_SALES }) })).rejects.toThrow(/no field "price" in the data \(it has: region, rep, amount\)/);
  });

  it('comparisons keep or drop rows; a JSON file can be saved as CSV or a Markdown table', async () => {
    const ws = await workspace({ 'q3-sales.csv': Q3_SALES, 'deals.json': JSON.stringify([{ who: 'a', amount: 5 }, { who: 'b', amount: 50 }, { who: 'c' }]) });
    const north = await runOnEngine(plan('Clean q3-sales.csv; only rows where region is North, as CSV').workflow, { workspaceDir: ws });
    expect(north.artifacts[0].content).toBe('region,rep,amount\nnorth,ann,120.5\nnorth,eve,42\n');
    const big = await runOnEngine(plan('clean deals.json and remove rows where amount is below 10, save as CSV').workflow, { workspaceDir: ws });
    expect(big.artifacts[0].name).toBe('deals.clean.csv');
    expect(big.artifacts[0].content.trim().split(/\r?\n/)).toEqual(['who,amount', 'b,50', 'c,']);
    const table = await runOnEngine(plan('clean deals.json, keep rows with an amount, save as markdown').workflow, { workspaceDir: ws });
    expect(table.artifacts[0].name).toBe('deals.clean.md');
    expect(table.artifacts[0].content).toBe('| who | amount |\n|---|---|\n| a | 5 |\n| b | 50 |\n');
  });
});

describe('journey 1: the ops engineer with a runbook', () => {
  const GOAL = 'Draft a rollback runbook for the orders service and ask me before saving';
  const NOTES = {
    'orders.md': '# Orders service\n\nRoll back:\n\n```sh\nkubectl -n shop rollout undo deployment/orders-api\nkubectl -n shop rollout status deployment/orders-api\n```\n\nCheck the queue first:\n$ rabbitmqctl list_queues name messages | grep orders\n',
    'deploy/orders-db.sh': '#!/bin/sh\n# restore the orders database snapshot\npg_restore -d orders /backups/orders-latest.dump\n',
    'search.md': '```\nkubectl -n search rollout undo deployment/search\n```\n',
    'photo.png': 'not a note',
  };

  it('reads the shell notes in the workspace and puts the commands about the service into the approved runbook', async () => {
    const p = plan(GOAL);
    expect(p.workflow.nodes.map((n) => n.id)).toEqual(['list', 'files', 'read', 'collect', 'commands', 'outline', 'approve', 'save']);
    expect(p.explanation).toContain("the run's workspace folder");
    expect(p.workflow.settings.inputs).toBeUndefined(); // the workspace the person chose is the notes folder: nothing asked at run time
    const run = await runOnEngine(p.workflow, { workspaceDir: await workspace(NOTES) });
    expect(run.approvals).toHaveLength(1);
    expect(run.artifacts.map((a) => a.name)).toEqual(['runbook.md']);
    const doc = run.artifacts[0].content;
    expect(doc).toContain('# Draft a rollback runbook for the orders service');
    expect(doc).toContain('## Roll back');
    expect(doc).toContain('## Commands from your notes');
    expect(doc).toContain('kubectl -n shop rollout undo deployment/orders-api');
    expect(doc).toContain('rabbitmqctl list_queues name messages | grep orders');
    expect(doc).toContain('### deploy/orders-db.sh\n\n```sh\npg_restore -d orders /backups/orders-latest.dump\n```');
    expect(doc).not.toContain('deployment/search'); // another service's command
    expect(doc).not.toContain('#!/bin/sh');
    expect(run.approvals[0]).toContain('kubectl -n shop rollout undo deployment/orders-api'); // the person approves what is saved
  });

  it('a notes folder named in the goal is the one read; a workspace without commands says so in the runbook', async () => {
    const ws = await workspace({ 'ops/notes/orders.md': '```\nsystemctl restart orders\n```\n', 'elsewhere.sh': 'echo orders elsewhere\n' });
    const named = await runOnEngine(plan('Write a rollback runbook for the orders service from the notes in ops/notes/').workflow, { workspaceDir: ws, approve: true });
    expect(named.artifacts[0].content).toContain('systemctl restart orders');
    expect(named.artifacts[0].content).not.toContain('elsewhere');
    const empty = await runOnEngine(plan(GOAL).workflow, { workspaceDir: await workspace({ 'README.md': 'no commands here\n' }) });
    expect(empty.artifacts[0].content).toContain('No shell commands were found in the 1 note file(s) read');
  });
});
