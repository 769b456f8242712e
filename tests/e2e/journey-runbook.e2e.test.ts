/**
 * A new person's walkthrough, in Chromium against `awe serve` on a fresh data folder:
 * a workspace folder chosen before planning stays with the planned workflow (Plan gives
 * the workflow a new id; the folder must follow it), and a goal that asks to review the
 * draft before saving gets an approval step the person answers from the run header.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { hasChromium, latestRunId, nodeEl, useE2e, waitForAllNodes, waitForNodeStatus } from './support';

const workspaceButton = (page: Page) => page.getByRole('button', { name: 'Workspace' });
const runButton = (page: Page) => page.getByRole('button', { name: 'Run', exact: true });

async function planGoal(page: Page, goal: string) {
  await page.getByLabel('Goal', { exact: true }).pressSequentially(goal);
  await page.getByRole('button', { name: 'Plan', exact: true }).click();
}

const folders: string[] = [];
afterAll(() => folders.forEach((f) => rmSync(f, { recursive: true, force: true })));

describe.skipIf(!hasChromium)('new-user journey: workspace first, then plan; a runbook reviewed before saving', () => {
  const e2e = useE2e();

  test('a workspace chosen before planning stays with the planned workflow and its run reads that folder', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'awe-e2e-journey-'));
    folders.push(folder);
    mkdirSync(join(folder, 'docs'));
    writeFileSync(join(folder, 'docs', 'orders-notes.md'), '# Orders service\n\nOn-call notes for the orders service.\n');

    const { page } = await e2e.openApp();
    await expect.poll(() => workspaceButton(page).textContent()).toBe('Samples');
    await workspaceButton(page).click();
    const dialog = page.getByRole('dialog', { name: 'Workspace folder' });
    await dialog.getByLabel('Folder path').pressSequentially(folder);
    await dialog.getByRole('button', { name: 'Use this folder' }).click();
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => workspaceButton(page).textContent()).toBe(basename(folder));

    await planGoal(page, 'Build an index of the markdown files in docs/');
    await nodeEl(page, 'index').waitFor();
    // Planning made a new workflow; the folder chosen for the canvas is still its workspace.
    await expect.poll(() => workspaceButton(page).textContent()).toBe(basename(folder));
    const runs = () => e2e.server.api<{ runs: unknown[] }>('/api/runs').then((r) => r.runs.length);
    expect(await runs()).toBe(0);

    await runButton(page).click();
    const inputs = page.getByRole('dialog', { name: 'Run inputs' });
    await inputs.getByRole('button', { name: 'Start run' }).click();
    await waitForAllNodes(page, 'succeeded');
    const run = await e2e.server.api(`/api/runs/${await latestRunId(e2e.server)}`);
    // The run read the chosen folder, not Samples: its only markdown file is in the index.
    const index = JSON.stringify(run.nodeRuns.find((n: { nodeId: string }) => n.nodeId === 'index').output);
    expect(index).toContain('orders-notes.md');
    // And the server keeps the folder for the planned workflow's id.
    const ws = await e2e.server.api('/api/commands/workspaces.get', { method: 'POST', body: { workflowId: run.run.workflowId } });
    expect(ws).toMatchObject({ path: folder, isDefault: false });
  });

  test('"ask me before saving": the run stops at an approval showing the draft; Approve in the header saves the Markdown', async () => {
    const { page } = await e2e.openApp();
    await planGoal(page, 'Draft a rollback runbook for the orders service and ask me before saving');
    await nodeEl(page, 'approve').waitFor();

    await runButton(page).click();
    const approval = page.getByRole('dialog', { name: 'Approval needed' });
    await approval.waitFor();
    // The draft is in the request the person reads.
    await approval.getByText('Rollback', { exact: false }).first().waitFor();
    expect(await approval.textContent()).toContain('Draft a rollback runbook for the orders service');
    await waitForNodeStatus(page, 'approve', 'waiting');
    // Closing only sets it aside: the run header still offers the answer.
    await approval.getByRole('button', { name: 'Close' }).click();
    await approval.waitFor({ state: 'detached' });
    await page.getByRole('group', { name: 'Approval' }).getByRole('button', { name: 'Approve', exact: true }).click();
    await waitForAllNodes(page, 'succeeded');

    const runId = await latestRunId(e2e.server);
    expect((await e2e.server.api(`/api/runs/${runId}`)).artifacts.map((a: { name: string }) => a.name)).toEqual(['runbook.md']);
    await page.getByRole('tab', { name: /Artifacts/ }).click();
    await page.getByTestId('artifacts').getByText('runbook.md').first().waitFor();
  });
});
