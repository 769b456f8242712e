/**
 * Issue 8, scenarios 4 and 9, in Chromium against `awe serve`, as a person does them:
 * reruns use the definition the inspector shows; the app's feedback (plan explanation,
 * toasts, validation words, header at 1280 px, replay header, compare, artifact versions).
 */
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { hasChromium, latestRunId, nodeEl, root, useE2e, waitForAllNodes, waitForNodeStatus } from './support';

const EXAMPLE = join(root, 'resources', 'examples', 'document-generation.awe.json');

async function importAndRun(page: Page) {
  await page.getByTestId('import-file').setInputFiles(EXAMPLE);
  await nodeEl(page, 'save').waitFor();
  await page.getByRole('button', { name: 'Run', exact: true }).click();
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
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => latestRunId(e2e.server)).not.toBe(runId);
    const second = await latestRunId(e2e.server);
    await expect.poll(async () => (await e2e.server.api(`/api/runs/${second}`)).status).toBe('succeeded');
    expect((await e2e.server.api(`/api/runs/${second}`)).artifacts.map((a: { name: string }) => a.name)).toEqual(['notes-v2.md']);
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
