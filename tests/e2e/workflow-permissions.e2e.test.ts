/**
 * A workflow's own allowTools is a request the person approves (issue 10, item 4), and
 * the page works with the token `awe serve` put in its URL (item 5): opened with
 * `?token=`, it keeps the token out of the address bar and still reaches the server
 * after a reload.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { hasChromium, latestRunId, nodeEl, useE2e, waitForAllNodes } from './support';

const REQUESTING = {
  version: 1,
  id: 'e2e-requests-write',
  name: 'Writes a note',
  nodes: [{ id: 'note', kind: 'tool', tool: 'file.write', label: 'Write the note', inputs: { path: 'note.txt', content: 'approved once' } }],
  edges: [],
  settings: { allowTools: ['file.write'] },
};

describe.skipIf(!hasChromium)('workflow permissions and the page token (Chromium against awe serve)', () => {
  const e2e = useE2e();

  test('the token leaves the address bar, stays for the tab, and a reload still connects', async () => {
    const { page } = await e2e.openApp();
    expect(page.url()).not.toContain('token');
    expect(await page.evaluate(() => sessionStorage.getItem('awe.token'))).toBe(e2e.server.token);
    await page.reload();
    await page.getByTestId('palette-item-text.template').waitFor();
    await page.getByTestId('connection-banner').waitFor({ state: 'detached' });
  });

  test('Run on a workflow requesting a tool lists it in a dialog; once allowed it runs, and is not asked again', async () => {
    const { page } = await e2e.openApp();
    await page.getByTestId('import-file').setInputFiles({ name: 'requests-write.awe.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(REQUESTING)) });
    await nodeEl(page, 'note').waitFor();

    // Cancel first: nothing runs.
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Allow this workflow’s tools?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    await dialog.waitFor({ state: 'detached' });
    expect((await e2e.server.api<{ runs: unknown[] }>('/api/runs')).runs).toHaveLength(0);

    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await dialog.waitFor();
    expect(await dialog.getByRole('list', { name: 'Requested tools' }).getByRole('listitem').allTextContents()).toEqual([expect.stringContaining('file.write')]);
    await dialog.getByRole('button', { name: 'Allow and run' }).click();
    // The approved request lets file.write run without the per-tool question.
    await waitForAllNodes(page, 'succeeded');
    const first = await latestRunId(e2e.server);
    // Runs from the UI work in the workflow's workspace folder (Samples until one is chosen).
    const ws = await e2e.server.api<{ path: string; isDefault: boolean }>('/api/commands/workspaces.get', { method: 'POST', body: { workflowId: REQUESTING.id } });
    expect(ws.isDefault).toBe(true);
    expect(ws.path).toBe(join(e2e.server.dataDir, 'workspaces', 'Samples'));
    expect(existsSync(join(ws.path, 'note.txt'))).toBe(true);

    // Remembered for this workflow and list: the next Run starts without the dialog.
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => latestRunId(e2e.server), { timeout: 15_000 }).not.toBe(first);
    expect(await dialog.count()).toBe(0);
  });
});
