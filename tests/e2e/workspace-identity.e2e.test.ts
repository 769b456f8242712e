/**
 * Issue 8, scenarios 1, 6 and 7, the way the person did them, in Chromium against
 * `awe serve` on a fresh data folder: the suggested goals run on the Samples workspace;
 * a workspace folder chosen by typing its path; Run asks for declared inputs; New and
 * Save as never overwrite a saved workflow; unsaved work is never dropped without asking
 * (Open, New, plan on a full canvas, reload); a broken file opens as a draft to fix.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { hasChromium, latestRunId, nodeEl, nodeStatuses, screenshotBothThemes, useE2e, waitForAllNodes } from './support';

const canvasNodeIds = async (page: Page) => Object.keys(await nodeStatuses(page)).sort();
const runButton = (page: Page) => page.getByRole('button', { name: 'Run', exact: true });
const savedWorkflows = (e2e: ReturnType<typeof useE2e>) =>
  e2e.server.api<{ workflows: { id: string; name: string; version: number; nodeCount: number }[] }>('/api/workflows').then((r) => r.workflows);

/** A suggested goal on the empty canvas. */
const exampleGoal = (page: Page, goal: string) => page.getByLabel('Example goals').getByRole('button', { name: goal });

/** Clicks Run, and Start run in the inputs form the workflow's declared inputs open. */
async function runWithInputs(page: Page): Promise<void> {
  await runButton(page).click();
  const form = page.getByRole('dialog', { name: 'Run inputs' });
  await form.waitFor();
  await form.getByRole('button', { name: 'Start run' }).click();
  await form.waitFor({ state: 'detached' });
}

const folders: string[] = [];
afterAll(() => folders.forEach((f) => rmSync(f, { recursive: true, force: true })));

describe.skipIf(!hasChromium)('workspace, run inputs, workflow identity, lenient open (Chromium against awe serve)', () => {
  const e2e = useE2e();

  test('the suggested goals run on the Samples workspace of a fresh install', async () => {
    const { page } = await e2e.openApp({ theme: 'light' });
    const workspace = page.getByRole('button', { name: 'Workspace' });
    await expect.poll(() => workspace.textContent()).toBe('Samples');

    await exampleGoal(page, 'Clean data/customers.csv and remove duplicates').click();
    await nodeEl(page, 'clean').waitFor();
    await runButton(page).click();
    const form = page.getByRole('dialog', { name: 'Run inputs' });
    await form.waitFor();
    // The declared input, with its default filled in.
    expect(await form.getByLabel('path').inputValue()).toBe('data/customers.csv');
    await screenshotBothThemes(page, 'run-inputs');
    await form.getByRole('button', { name: 'Start run' }).click();
    await waitForAllNodes(page, 'succeeded');
    const run = await e2e.server.api(`/api/runs/${await latestRunId(e2e.server)}`);
    expect(run.run.inputs).toEqual({ path: 'data/customers.csv' });
    const clean = run.nodeRuns.find((n: { nodeId: string }) => n.nodeId === 'clean');
    expect(clean.output.result.removed).toBe(3);

    // The second suggestion, on a new workflow (the first one is unsaved: New asks).
    await page.getByRole('button', { name: 'New workflow' }).click();
    await page.getByRole('dialog', { name: 'Discard unsaved changes?' }).getByRole('button', { name: 'Discard changes' }).click();
    await expect.poll(() => canvasNodeIds(page)).toEqual([]);
    await exampleGoal(page, 'Index the markdown files in docs/').click();
    await nodeEl(page, 'index').waitFor();
    await runWithInputs(page);
    await waitForAllNodes(page, 'succeeded');
  });

  test('a workspace folder chosen by typing its path is used by the run and remembered for that workflow', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'awe-e2e-workspace-'));
    folders.push(folder);
    mkdirSync(join(folder, 'data'));
    writeFileSync(join(folder, 'data', 'customers.csv'), 'id,name\n7,Mine\n7,Mine\n8,Also mine\n');

    const { page } = await e2e.openApp({ theme: 'dark' });
    await exampleGoal(page, 'Clean data/customers.csv and remove duplicates').click();
    await nodeEl(page, 'clean').waitFor();
    await page.getByRole('button', { name: 'Workspace' }).click();
    const dialog = page.getByRole('dialog', { name: 'Workspace folder' });
    const path = dialog.getByLabel('Folder path');
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('workspace-path');

    // A typo first: refused, saying so, and nothing changes.
    await path.pressSequentially(join(folder, 'dta'));
    await dialog.getByRole('button', { name: 'Use this folder' }).click();
    await expect(dialog.getByRole('alert').textContent()).resolves.toBe(`The folder "${join(folder, 'dta')}" does not exist.`);
    await screenshotBothThemes(page, 'workspace-dialog-error');
    await path.press('Control+a');
    await path.press('Backspace');
    await path.pressSequentially(folder);
    await path.press('Enter');
    await dialog.waitFor({ state: 'detached' });
    const name = folder.split('/').pop()!;
    await expect.poll(() => page.getByRole('button', { name: 'Workspace' }).textContent()).toBe(name);

    await runWithInputs(page);
    await waitForAllNodes(page, 'succeeded');
    const run = await e2e.server.api(`/api/runs/${await latestRunId(e2e.server)}`);
    expect(run.nodeRuns.find((n: { nodeId: string }) => n.nodeId === 'read').output.text).toContain('7,Mine');
    expect(run.nodeRuns.find((n: { nodeId: string }) => n.nodeId === 'clean').output.result.removed).toBe(1);

    // Remembered per workflow: a new workflow starts on Samples; opening the saved one brings the folder back.
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => page.getByTestId('dirty-marker').count()).toBe(0);
    await page.getByRole('button', { name: 'New workflow' }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Workspace' }).textContent()).toBe('Samples');
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByRole('button', { name: /^Open workflow Clean data\/customers\.csv/ }).click();
    await expect.poll(() => page.getByRole('button', { name: 'Workspace' }).textContent()).toBe(name);
    await page.getByRole('button', { name: 'Workspace' }).click();
    await screenshotBothThemes(page, 'workspace-dialog');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Workspace folder' }).waitFor({ state: 'detached' });
  });

  test('Run asks for declared inputs: required enforced, numbers, booleans and JSON typed', async () => {
    const { page } = await e2e.openApp();
    const doc = {
      id: 'e2e-inputs',
      name: 'Greeting with inputs',
      nodes: [{ id: 'greet', kind: 'tool', tool: 'text.template', inputs: { template: 'Hello {{input.name}} x{{input.count}} {{input.loud}}' } }],
      edges: [],
      settings: {
        inputs: {
          name: { type: 'string', default: 'Ada' },
          count: { type: 'number', required: true, description: 'How many times' },
          loud: { type: 'boolean', default: true },
          extra: { type: 'json', default: { tags: ['a'] } },
        },
      },
    };
    await page.getByTestId('import-file').setInputFiles({ name: 'inputs.awe.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(doc)) });
    await nodeEl(page, 'greet').waitFor();
    await runButton(page).click();
    const form = page.getByRole('dialog', { name: 'Run inputs' });
    await form.waitFor();
    expect(await form.getByLabel('name').inputValue()).toBe('Ada');
    expect(await form.getByLabel('loud').isChecked()).toBe(true);
    expect(JSON.parse(await form.getByLabel('extra').inputValue())).toEqual({ tags: ['a'] });

    await form.getByRole('button', { name: 'Start run' }).click();
    await expect(form.getByRole('alert').textContent()).resolves.toBe('count is required.');
    await form.getByLabel('count').pressSequentially('three');
    await form.getByRole('button', { name: 'Start run' }).click();
    await expect(form.getByRole('alert').textContent()).resolves.toBe('count must be a number, like 3 or 2.5.');
    await form.getByLabel('count').press('Control+a');
    await form.getByLabel('count').pressSequentially('3');
    await form.getByLabel('loud').uncheck();
    await form.getByRole('button', { name: 'Start run' }).click();
    await waitForAllNodes(page, 'succeeded');
    const run = await e2e.server.api(`/api/runs/${await latestRunId(e2e.server)}`);
    expect(run.run.inputs).toEqual({ name: 'Ada', count: 3, loud: false, extra: { tags: ['a'] } });
    expect(run.nodeRuns[0].output.text).toBe('Hello Ada x3 false');
  });

  test('New and Save as give fresh ids: nothing saved is overwritten; the dirty marker follows saves', async () => {
    const { page } = await e2e.openApp();
    const earlier = new Set((await savedWorkflows(e2e)).map((w) => w.id));
    const ours = () => savedWorkflows(e2e).then((list) => list.filter((w) => !earlier.has(w.id)));
    const goal = page.getByRole('textbox', { name: 'Goal' });
    await goal.pressSequentially('Write an onboarding checklist for new engineers');
    await page.getByRole('button', { name: 'Plan' }).click();
    await nodeEl(page, 'outline').waitFor();
    await expect(page.getByRole('img', { name: 'Unsaved changes' }).count()).resolves.toBe(1);
    await page.keyboard.press('Control+s');
    await expect.poll(() => page.getByRole('img', { name: 'Unsaved changes' }).count()).toBe(0);
    const [first] = await ours();

    // New: an empty workflow of its own. Ctrl-S on it makes a second workflow.
    await page.getByRole('button', { name: 'New workflow' }).click();
    await expect.poll(() => canvasNodeIds(page)).toEqual([]);
    await expect(page.getByLabel('Workflow name').inputValue()).resolves.toBe('Untitled workflow');
    await page.getByTestId('palette-item-text.template').dragTo(page.locator('.react-flow__pane'), { targetPosition: { x: 300, y: 200 } });
    await expect.poll(() => canvasNodeIds(page).then((ids) => ids.length)).toBe(1);
    // The field offers references as it is typed (a combobox), named by its input.
    await page.getByRole('combobox', { name: 'template', exact: true }).pressSequentially('Hi');
    await page.locator('.react-flow__pane').click({ position: { x: 40, y: 40 } });
    await expect.poll(() => runButton(page).isEnabled()).toBe(true);
    await page.keyboard.press('Control+s');
    await expect.poll(() => ours().then((w) => w.length)).toBe(2);
    expect((await ours()).find((w) => w.id === first.id)).toEqual(first);

    // Save as: a third workflow under the typed name; the second keeps its version.
    await page.getByRole('button', { name: 'Save as' }).click();
    const naming = page.getByRole('dialog', { name: 'Save as a new workflow' });
    await naming.getByLabel('Name').press('Control+a');
    await naming.getByLabel('Name').pressSequentially('Greeting v2');
    await screenshotBothThemes(page, 'save-as');
    await naming.getByRole('button', { name: 'Save', exact: true }).click();
    await expect.poll(() => ours().then((w) => w.map((x) => x.name).sort())).toEqual(['Greeting v2', 'Untitled workflow', first.name].sort());
    await expect(page.getByLabel('Workflow name').inputValue()).resolves.toBe('Greeting v2');
    expect((await ours()).find((w) => w.name === 'Untitled workflow')!.version).toBe(1);

    // Duplicate, from the More menu by keyboard: an unsaved copy with its own id; nothing new is saved.
    await page.getByRole('button', { name: 'More workflow actions' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('menu', { name: 'Workflow actions' }).waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Duplicate');
    await page.keyboard.press('Enter');
    const dup = page.getByRole('dialog', { name: 'Duplicate workflow' });
    await dup.getByRole('button', { name: 'Duplicate' }).click();
    await expect.poll(() => page.getByLabel('Workflow name').inputValue()).toBe('Greeting v2 (copy)');
    await expect(page.getByRole('img', { name: 'Unsaved changes' }).count()).resolves.toBe(1);
    expect((await ours()).length).toBe(3);
  });

  test('planning on a full canvas asks replace or extend; Open, New and reload ask before dropping unsaved work', async () => {
    const { page } = await e2e.openApp({ theme: 'light' });
    await exampleGoal(page, 'Write a deployment runbook checklist for the payments service').click();
    await nodeEl(page, 'approve').waitFor();
    await page.keyboard.press('Control+s');
    await expect.poll(() => page.getByRole('img', { name: 'Unsaved changes' }).count()).toBe(0);
    const before = await canvasNodeIds(page);
    const savedBefore = await savedWorkflows(e2e);

    const goal = page.getByRole('textbox', { name: 'Goal' });
    await goal.press('Control+a');
    await goal.pressSequentially('Index the markdown files in docs/');
    await page.getByRole('button', { name: 'Plan' }).click();
    const choice = page.getByRole('dialog', { name: 'The canvas already has a workflow' });
    await choice.waitFor();
    await screenshotBothThemes(page, 'plan-replace-or-extend');
    await choice.getByRole('button', { name: 'Cancel' }).click();
    expect(await canvasNodeIds(page)).toEqual(before);

    // Extend: the merged plan is previewed with its diff before it applies; discarding it keeps the graph.
    await page.getByRole('button', { name: 'Plan' }).click();
    await choice.getByRole('button', { name: 'Extend' }).click();
    const diff = page.getByRole('region', { name: 'Replan diff' });
    await diff.waitFor();
    // Extended, not replaced: the runbook's steps are still there beside the new ones.
    expect(await canvasNodeIds(page)).toEqual(expect.arrayContaining([...before, 'index']));
    await diff.getByRole('button', { name: 'Discard plan' }).click();
    await diff.waitFor({ state: 'detached' });
    expect(await canvasNodeIds(page)).toEqual(before);

    await page.getByRole('button', { name: 'Plan' }).click();
    await choice.getByRole('button', { name: 'Replace' }).click();
    await nodeEl(page, 'index').waitFor();
    // Replaced, not merged: the runbook's own steps (its outline and approval) are gone. Steps
    // both plans have (reading the workspace, saving) may stay under their ids.
    const after = await canvasNodeIds(page);
    expect(after).toContain('index');
    expect(after.filter((id) => ['outline', 'approve'].includes(id))).toEqual([]);
    expect(after.length).toBeLessThan(before.length);
    await expect(page.getByRole('img', { name: 'Unsaved changes' }).count()).resolves.toBe(1);

    // Open with unsaved changes: asked; Keep editing keeps them.
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByRole('button', { name: /^Open workflow Write a deployment runbook/ }).click();
    const discard = page.getByRole('dialog', { name: 'Discard unsaved changes?' });
    await discard.waitFor();
    await screenshotBothThemes(page, 'discard-changes');
    await discard.getByRole('button', { name: 'Keep editing' }).click();
    await expect.poll(() => canvasNodeIds(page).then((ids) => ids.includes('index'))).toBe(true);

    // Reload with unsaved changes: the browser asks; staying keeps the work.
    const asked: string[] = [];
    page.once('dialog', (d) => {
      asked.push(d.type());
      void d.dismiss();
    });
    await page.reload({ timeout: 3000 }).catch(() => undefined);
    expect(asked).toEqual(['beforeunload']);
    expect(await canvasNodeIds(page)).toContain('index');

    // Open again, this time discarding: the saved runbook comes back as saved.
    await page.keyboard.press('Escape');
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByRole('button', { name: /^Open workflow Write a deployment runbook/ }).click();
    await discard.getByRole('button', { name: 'Discard changes' }).click();
    await expect.poll(() => canvasNodeIds(page)).toEqual(before);
    expect(await savedWorkflows(e2e)).toEqual(savedBefore);

    // Saved and unchanged: reload asks nothing.
    page.once('dialog', (d) => {
      asked.push(d.type());
      void d.accept();
    });
    await page.reload();
    await page.getByTestId('palette-item-text.template').waitFor();
    expect(asked).toEqual(['beforeunload']);
  });

  test('a file with a cycle and an unknown tool opens as a draft: problems listed, Run disabled, fixed on the canvas, then it runs', async () => {
    const { page } = await e2e.openApp({ theme: 'dark' });
    const broken = {
      id: 'e2e-broken',
      name: 'Broken on arrival',
      nodes: [
        { id: 'a', kind: 'tool', tool: 'text.template', inputs: { template: 'x' } },
        { id: 'b', kind: 'tool', tool: 'text.template', inputs: { template: 'y' } },
        { id: 'scan', kind: 'tool', tool: 'mcp.scanner.scan', inputs: {} },
      ],
      edges: [
        { id: 'ab', source: 'a', target: 'b' },
        { id: 'ba', source: 'b', target: 'a' },
      ],
    };
    await page.getByTestId('import-file').setInputFiles({ name: 'broken.awe.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(broken)) });
    await nodeEl(page, 'scan').waitFor();
    expect(await canvasNodeIds(page)).toEqual(['a', 'b', 'scan']);
    const problems = page.getByTestId('inspector').getByRole('list', { name: 'Problems' });
    await expect.poll(() => problems.textContent()).toMatch(/cycle: a → b → a|b → a → b/);
    await expect(problems.textContent()).resolves.toContain('mcp.scanner.scan');
    // Outlined: the node where the cycle was found and the one naming a tool that is not installed.
    const outlined = () => page.$$eval('.react-flow__node .has-problems[data-node-id]', (els) => els.map((e) => e.getAttribute('data-node-id')).sort());
    await expect.poll(outlined, { timeout: 10_000 }).toEqual(['a', 'scan']);
    expect(await runButton(page).isDisabled()).toBe(true);
    expect(await runButton(page).getAttribute('title')).toMatch(/^Fix the \d+ problems listed in the inspector before running\.$/);
    await screenshotBothThemes(page, 'draft-with-problems');
    // Nothing was saved by opening it.
    expect((await savedWorkflows(e2e)).map((w) => w.id)).not.toContain('e2e-broken');

    // Fix it: remove the node that closes the cycle and the one whose tool is not installed.
    for (const id of ['b', 'scan']) {
      await nodeEl(page, id).click();
      await page.keyboard.press('Delete');
    }
    await expect.poll(() => canvasNodeIds(page)).toEqual(['a']);
    // Validation runs off the UI thread; on a busy machine it may take a few seconds to clear the problems.
    await expect.poll(() => runButton(page).isEnabled(), { timeout: 15_000 }).toBe(true);
    await runButton(page).click();
    await waitForAllNodes(page, 'succeeded');
  });
});
