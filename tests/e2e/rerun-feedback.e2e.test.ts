/**
 * Issue 8, scenarios 4 and 9, in Chromium against `awe serve`, as a person does them:
 * reruns use the definition the inspector shows; the app's feedback (plan explanation,
 * toasts, validation words, header at 1280 px, replay header, compare, artifact versions).
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { hasChromium, latestRunId, nodeEl, root, screenshotBothThemes, useE2e, waitForAllNodes, waitForNodeStatus } from './support';

const EXAMPLE = join(root, 'resources', 'examples', 'document-generation.awe.json');
const RUNBOOK = join(root, 'resources', 'examples', 'ops-runbook.awe.json');

/** Run, then Start run in the "Run inputs" dialog (both examples declare inputs), keeping the defaults. */
async function startRun(page: Page) {
  await page.getByRole('button', { name: 'Run', exact: true }).click();
  const inputs = page.getByRole('dialog', { name: 'Run inputs' });
  await inputs.getByRole('button', { name: 'Start run' }).click();
  await inputs.waitFor({ state: 'detached' });
}

async function importAndRun(page: Page) {
  await page.getByTestId('import-file').setInputFiles(EXAMPLE);
  await nodeEl(page, 'save').waitFor();
  await startRun(page);
  await waitForAllNodes(page, 'succeeded');
}

/** Replaces the text of an inspector field by typing, as a person does (select all, type). */
async function retype(page: Page, label: string, text: string) {
  const field = page.getByTestId('inspector').getByLabel(label, { exact: true });
  await field.click();
  await page.keyboard.press('Control+A');
  await field.pressSequentially(text);
}

describe.skipIf(!hasChromium)('reruns use what the person sees (issue 8, scenario 4)', () => {
  const e2e = useE2e();

  test('Rerun node uses the name typed in the inspector; the next full Run keeps it; no raw JSON box', async () => {
    const { page } = await e2e.openApp();
    await importAndRun(page);
    const runId = await latestRunId(e2e.server);

    await nodeEl(page, 'save').click();
    const inspector = page.getByTestId('inspector');
    await inspector.getByText('Reruns use the definition shown here.').waitFor();
    // The raw JSON editor is gone: the inspector form is what a rerun uses.
    expect(await page.getByRole('button', { name: 'Edit inputs and rerun' }).count()).toBe(0);

    await retype(page, 'name', 'notes-v2.md');
    await expect.poll(() => inspector.getByTestId('rerun-edits').textContent()).toBe('inputs.name');
    await screenshotBothThemes(page, 'rerun-edited');

    await page.getByRole('button', { name: 'Rerun node' }).click();
    await expect.poll(async () => (await e2e.server.api(`/api/runs/${runId}`)).artifacts.map((a: { name: string }) => a.name)).toEqual(['release-notes.md', 'notes-v2.md']);
    await waitForNodeStatus(page, 'save', 'succeeded');
    const run = await e2e.server.api(`/api/runs/${runId}`);
    expect(run.nodes.save.input.name).toBe('notes-v2.md');
    expect(run.nodes.render.attempts).toBe(1);
    // The run's history says what was edited, and the inspector no longer sees an unused edit.
    const events = (await e2e.server.api(`/api/runs/${runId}/events`)).events as { type: string; changed?: string[] }[];
    expect(events.filter((e) => e.type === 'node.definition').map((e) => e.changed)).toEqual([['inputs.name']]);
    await expect.poll(() => inspector.getByTestId('rerun-edits').count()).toBe(0);

    // The edit lives in the canvas document: a full Run uses it too.
    await startRun(page);
    await expect.poll(() => latestRunId(e2e.server)).not.toBe(runId);
    const second = await latestRunId(e2e.server);
    await expect.poll(async () => (await e2e.server.api(`/api/runs/${second}`)).status).toBe('succeeded');
    expect((await e2e.server.api(`/api/runs/${second}`)).artifacts.map((a: { name: string }) => a.name)).toEqual(['notes-v2.md']);

    // Compare shows the edit the rerun made: the first run's snapshot said release-notes.md.
    await page.getByRole('button', { name: 'Refresh runs' }).click();
    const picks = page.getByRole('checkbox', { name: /^Select run of/ });
    await expect.poll(() => picks.count()).toBe(2);
    await picks.nth(0).check();
    await picks.nth(1).check();
    await page.getByRole('button', { name: 'Compare selected runs' }).click();
    const row = page.getByTestId('compare').locator('tr[data-node-id="save"]');
    await row.getByText('edited in a rerun').waitFor();
    await row.click();
    // The older run (A) is the one whose rerun changed the name.
    const edits = page.getByTestId('rerun-edits-a');
    await edits.waitFor();
    expect(await edits.textContent()).toMatch(/inputs\.name\s*release-notes\.md\s*→\s*notes-v2\.md/);
    await screenshotBothThemes(page, 'compare-rerun-edit');
  });

  test('Rerun from here uses the downstream definitions; a changed graph shape says a full Run is needed', async () => {
    const { page } = await e2e.openApp();
    await importAndRun(page);
    const runId = await latestRunId(e2e.server);

    // Edit the downstream node, then rerun from its parent.
    await nodeEl(page, 'save').click();
    await retype(page, 'name', 'from-here.md');
    await nodeEl(page, 'render').click();
    await page.getByRole('button', { name: 'Rerun from here' }).click();
    await expect.poll(async () => (await e2e.server.api(`/api/runs/${runId}`)).artifacts.map((a: { name: string }) => a.name)).toEqual(['release-notes.md', 'from-here.md']);
    await waitForAllNodes(page, 'succeeded');

    // A new node changes the graph: a rerun cannot use it and says so.
    await page.getByTestId('palette-item-util.wait').dragTo(page.locator('.react-flow__pane'), { targetPosition: { x: 120, y: 380 } });
    await nodeEl(page, 'save').click();
    const note = page.getByTestId('inspector').getByRole('note');
    await expect.poll(() => note.textContent()).toMatch(/The graph changed since this run \(added .+\)\. .*press Run/);
    expect(await page.getByRole('button', { name: 'Rerun node' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Rerun from here' }).isDisabled()).toBe(true);
  });
});

type Box = { x: number; y: number; width: number; height: number };
const overlaps = (a: Box, b: Box) => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
const inside = (a: Box, outer: Box) => a.x >= outer.x - 0.5 && a.y >= outer.y - 0.5 && a.x + a.width <= outer.x + outer.width + 0.5 && a.y + a.height <= outer.y + outer.height + 0.5;

describe.skipIf(!hasChromium)('feedback (issue 8, scenario 9)', () => {
  const e2e = useE2e();

  test('the plan explanation is shown and kept in the workflow inspector; a goal the planner does not understand says so and suggests goals', async () => {
    const { page } = await e2e.openApp();
    await page.getByLabel('Goal', { exact: true }).pressSequentially('Make me a sandwich');
    await page.getByRole('button', { name: 'Plan', exact: true }).click();
    const note = page.getByTestId('plan-explanation');
    await note.waitFor();
    const text = await note.textContent();
    expect(text).toMatch(/did not recognise what kind of task this goal is/);
    expect(text).toMatch(/"Summarise https:\/\/example\.com into a report"/);
    expect(text).toMatch(/Make me a sandwich/);
    expect(await page.locator('.toast').allTextContents()).toContainEqual(expect.stringMatching(/Planned 1 step with the offline planner/));
    await screenshotBothThemes(page, 'plan-explanation');

    // Kept: select a node and come back to the workflow's inspector.
    await nodeEl(page, 'explain').click();
    expect(await note.count()).toBe(0);
    await page.keyboard.press('Escape');
    await page.locator('.react-flow__pane').click({ position: { x: 30, y: 30 } });
    await note.waitFor();

    // A goal it understands says what it understood.
    const goal = page.getByLabel('Goal', { exact: true });
    await goal.click();
    await page.keyboard.press('Control+A');
    await goal.pressSequentially('Write a deploy checklist for production');
    await page.getByRole('button', { name: 'Plan', exact: true }).click();
    // The canvas holds the first plan: the person chooses to replace it.
    await page.getByRole('dialog', { name: 'The canvas already has a workflow' }).getByRole('button', { name: 'Replace' }).click();
    await expect.poll(() => note.textContent()).toMatch(/Offline plan .*because the goal mentions/);
  });

  test('a problem blocks Run in words, stays clear of the inspector and goes away once fixed; info messages fade', async () => {
    const { page } = await e2e.openApp();
    await page.getByTestId('import-file').setInputFiles(EXAMPLE);
    await nodeEl(page, 'save').waitFor();
    // The import message fades by itself.
    const opened = page.locator('.toast', { hasText: /^Opened “Release notes document”/ });
    await opened.waitFor();
    await opened.waitFor({ state: 'detached', timeout: 8000 });

    await nodeEl(page, 'save').click();
    const content = page.getByTestId('inspector').getByLabel('content', { exact: true });
    await content.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Backspace');
    // The app refuses before anything starts: Run is disabled and says why, in words.
    const runButton = page.getByRole('button', { name: 'Run', exact: true });
    const blocked = page.getByRole('button', { name: /1 problem/ });
    await blocked.waitFor();
    expect(await runButton.isDisabled()).toBe(true);
    expect(await runButton.getAttribute('title')).toBe('Fix the problem listed in the inspector before running.');
    const problems = page.getByTestId('inspector').getByRole('list', { name: 'Problems' });
    const words = (await problems.textContent())!;
    expect(words).toMatch(/content: is required/);
    expect(words).not.toMatch(/nonoptional|expected|received|>=/);
    // The reason sits in the header, clear of the inspector where the fix is typed.
    const [blockedBox, inspectorBox] = await Promise.all([blocked.boundingBox(), page.getByTestId('inspector').boundingBox()]);
    expect(overlaps(blockedBox!, inspectorBox!)).toBe(false);
    // Still there after a while: problems wait to be fixed…
    await page.waitForTimeout(5000);
    expect(await blocked.count()).toBe(1);
    // …and go once the problem is fixed.
    // (`content` takes any JSON value: a quoted text is one.)
    await content.pressSequentially('"Release notes follow."');
    await blocked.waitFor({ state: 'detached', timeout: 10_000 });
    expect(await runButton.isDisabled()).toBe(false);
  });

  test('at 1280 px during a waiting run no header control covers another, and Export run is whole', async () => {
    const { page } = await e2e.openApp();
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.getByTestId('import-file').setInputFiles(RUNBOOK);
    await nodeEl(page, 'publish').waitFor();
    await startRun(page);
    await waitForNodeStatus(page, 'approve', 'waiting');
    const boxes = await page.$$eval('header.toolbar button, header.toolbar input:not([type=file])', (els) =>
      els
        .map((el) => ({ name: el.getAttribute('aria-label') ?? el.textContent ?? '', box: el.getBoundingClientRect().toJSON() as Box }))
        .filter((x) => x.box.width > 0),
    );
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) expect(overlaps(boxes[i].box, boxes[j].box), `${boxes[i].name} overlaps ${boxes[j].name}`).toBe(false);
      expect(boxes[i].box.x + boxes[i].box.width, `${boxes[i].name} is inside the window`).toBeLessThanOrEqual(1280);
    }
    const exportBox = await page.getByRole('button', { name: 'Export run' }).boundingBox();
    const runHeaderBox = await page.getByTestId('run-header').boundingBox();
    expect(inside(exportBox!, runHeaderBox!), 'Export run is not clipped by the run header').toBe(true);
  });

  test('replaying the timeline shows "Replaying event k of n" and the header shows that moment', async () => {
    const { page } = await e2e.openApp();
    await importAndRun(page);
    const header = page.getByTestId('run-header');
    expect(await header.getAttribute('data-status')).toBe('succeeded');
    await page.getByRole('tab', { name: /Timeline/ }).click();
    const last = Number((await page.locator('.scrubber .num').textContent())!.split('/')[1].trim());
    await page.getByTestId('timeline').locator('tr').filter({ has: page.locator('td.num', { hasText: /^3$/ }) }).click();
    await expect.poll(() => page.getByTestId('replay-tag').textContent()).toBe(`Replaying event 3 of ${last}`);
    expect(await header.getAttribute('data-status')).toBe('running');
    expect(await page.getByTestId('run-progress').textContent()).toBe('0/3');
    await screenshotBothThemes(page, 'replay-header');
    await page.getByRole('button', { name: 'Back to live' }).click();
    await expect.poll(() => header.getAttribute('data-status')).toBe('succeeded');
    expect(await page.getByTestId('replay-tag').count()).toBe(0);
  });

  test('Compare calls two saves of the same bytes "same"; reruns list artifact versions under their node with the current one marked', async () => {
    const { page } = await e2e.openApp();
    await importAndRun(page);
    await startRun(page);
    await expect.poll(async () => (await e2e.server.api('/api/runs?limit=2')).runs.map((r: { status: string }) => r.status)).toEqual(['succeeded', 'succeeded']);
    await page.getByRole('button', { name: 'Refresh runs' }).click();
    const picks = page.getByRole('checkbox', { name: /^Select run of/ });
    await expect.poll(() => picks.count()).toBeGreaterThanOrEqual(2);
    await picks.nth(0).check();
    await picks.nth(1).check();
    await page.getByRole('button', { name: 'Compare selected runs' }).click();
    const row = page.getByTestId('compare').locator('tr[data-node-id="save"]');
    await row.waitFor();
    expect(await row.getAttribute('data-differs')).toBe('false');
    expect(await row.locator('.cmp-tag').textContent()).toBe('same');
    // Esc closes the comparison (a click on a Close button that is no longer there waited 30 s for it).
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Compare runs' }).waitFor({ state: 'detached' });

    // Two reruns of the save node: three artifacts of one node, the latest current.
    const runId = await latestRunId(e2e.server);
    await nodeEl(page, 'save').click();
    for (const n of [2, 3]) {
      await page.getByRole('button', { name: 'Rerun node' }).click();
      await expect.poll(async () => (await e2e.server.api(`/api/runs/${runId}`)).artifacts.length).toBe(n);
      await expect.poll(async () => (await e2e.server.api(`/api/runs/${runId}`)).status).toBe('succeeded');
    }
    await page.getByRole('tab', { name: /Artifacts/ }).click();
    const group = page.getByRole('region', { name: 'Artifacts of Save the document' });
    await group.waitFor();
    // The page shows what the server has once its events are applied (at most EVENT_APPLY_MS later): poll it.
    const versions = () => group.locator('.artifact-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-version')));
    await expect.poll(versions).toEqual(['current', 'version 2', 'version 1']);
    const stored = (await e2e.server.api(`/api/runs/${runId}`)).artifacts as { id: string; createdAt: number }[];
    const newest = [...stored].sort((a, b) => a.createdAt - b.createdAt).at(-1)!;
    expect(await group.locator('.artifact-row').first().getAttribute('data-artifact-id')).toBe(newest.id);
    await page.getByTestId('artifacts').getByText('1 current artifact · 2 earlier versions from reruns').waitFor();
    await screenshotBothThemes(page, 'artifact-versions');
    // An earlier version is one click (or Enter) away.
    await group.getByRole('button', { name: 'Preview release-notes.md (version 1)' }).focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => group.locator('.artifact-row.on').getAttribute('data-version')).toBe('version 1');
  });
});
