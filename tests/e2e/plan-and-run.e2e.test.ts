/**
 * Goal → plan → run in Chromium against `awe serve`: the planned DAG appears, runs to the
 * end with every node green; an approval step opens a dialog naming the tool; node colours
 * follow the events live.
 */
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { hasChromium, latestRunId, nodeEl, nodeSelector, nodeStatuses, screenBoxes, screenshotBothThemes, useE2e, waitForAllNodes, waitForNodeStatus } from './support';

/** Records every data-status each node shows, in order, from now on (read with `statusHistory`). */
async function recordStatuses(page: Page): Promise<void> {
  await page.evaluate(() => {
    const history: Record<string, string[]> = {};
    const note = (el: Element) => {
      const id = el.getAttribute('data-node-id');
      const status = el.getAttribute('data-status');
      if (!id || !status) return;
      const seen = (history[id] ??= []);
      if (seen[seen.length - 1] !== status) seen.push(status);
    };
    document.querySelectorAll('.react-flow__node [data-node-id]').forEach(note);
    new MutationObserver((records) => {
      for (const r of records) {
        if (r.type === 'attributes') note(r.target as Element);
        else r.addedNodes.forEach((n) => n instanceof Element && n.querySelectorAll('[data-node-id]').forEach(note));
      }
    }).observe(document.querySelector('.react-flow')!, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-status'] });
    (window as any).__statusHistory = history;
  });
}

const statusHistory = (page: Page) => page.evaluate(() => (window as any).__statusHistory as Record<string, string[]>);

/** A workflow file whose nodes wait, so each stays `running` long enough to be seen. */
const WAITING_WORKFLOW = {
  version: 1,
  id: 'e2e-waits',
  name: 'Three waits',
  nodes: [
    { id: 'first', kind: 'tool', tool: 'util.wait', label: 'Wait a bit', inputs: { ms: 400 } },
    { id: 'second', kind: 'tool', tool: 'util.wait', label: 'Wait again', inputs: { ms: 400 } },
    { id: 'third', kind: 'tool', tool: 'util.wait', label: 'And again', inputs: { ms: 400 } },
  ],
  edges: [
    { id: 'first-second', source: 'first', target: 'second' },
    { id: 'second-third', source: 'second', target: 'third' },
  ],
};

describe.skipIf(!hasChromium)('goal → plan → run (Chromium against awe serve)', () => {
  const e2e = useE2e();

  test('a goal is planned into a laid-out DAG and runs until every node is succeeded', async () => {
    const { page } = await e2e.openApp({ theme: 'light' });
    await screenshotBothThemes(page, 'empty');

    await page.getByRole('textbox', { name: 'Goal' }).click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.getByRole('textbox', { name: 'Goal' }).pressSequentially('Write an onboarding checklist for new engineers');
    await page.getByRole('button', { name: 'Plan' }).click();

    // The offline planner's runbook shape: a template node feeding artifact.save.
    await expect.poll(() => nodeStatuses(page), { timeout: 20_000 }).toEqual({ outline: 'idle', save: 'idle' });
    await expect(nodeEl(page, 'outline').textContent()).resolves.toContain('text.template');
    await expect(nodeEl(page, 'save').textContent()).resolves.toContain('artifact.save');
    // Laid out left to right, not stacked at the origin.
    const [a, b] = await screenBoxes(page, [nodeSelector('outline'), nodeSelector('save')]);
    expect(b.x).toBeGreaterThan(a.x + a.width / 2);
    await screenshotBothThemes(page, 'planned');

    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await waitForAllNodes(page, 'succeeded');
    await expect(page.getByTestId('run-header').textContent()).resolves.toMatch(/2\s*\/\s*2/);

    // The server agrees: the run it recorded succeeded.
    const run = await e2e.server.api(`/api/runs/${await latestRunId(e2e.server)}`);
    expect(run.status).toBe('succeeded');

    await nodeEl(page, 'save').click();
    await page.getByTestId('inspector').getByText('Succeeded').first().waitFor();
    await screenshotBothThemes(page, 'main');
  });

  test('an approval step opens a dialog naming the tool; Approve lets the run finish', async () => {
    const { page } = await e2e.openApp();
    await page.getByRole('textbox', { name: 'Goal' }).click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.getByRole('textbox', { name: 'Goal' }).pressSequentially('Write a deployment runbook checklist for the payments service');
    await page.getByRole('textbox', { name: 'Goal' }).press('Control+Enter');
    await nodeEl(page, 'approve').waitFor();

    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Approval needed' });
    await dialog.waitFor();
    await expect(dialog.getByTestId('approval-tool').textContent()).resolves.toBe('human.approve');
    await expect.poll(() => nodeStatuses(page).then((s) => s.approve)).toBe('waiting');
    // Nothing after the approval ran while it waited.
    expect((await nodeStatuses(page)).save).not.toBe('succeeded');
    await screenshotBothThemes(page, 'approval');

    await dialog.getByRole('button', { name: 'Approve' }).click();
    await dialog.waitFor({ state: 'detached' });
    await waitForAllNodes(page, 'succeeded');
  });

  test('node colours change live as events arrive: running, then succeeded, in order', async () => {
    const { page } = await e2e.openApp();
    await page.getByTestId('import-file').setInputFiles({
      name: 'waits.awe.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(WAITING_WORKFLOW)),
    });
    await expect.poll(() => nodeStatuses(page), { timeout: 20_000 }).toEqual({ first: 'idle', second: 'idle', third: 'idle' });
    await recordStatuses(page);

    await page.getByRole('button', { name: 'Run', exact: true }).click();
    // Mid-run: the second node is running while the first already succeeded.
    await waitForNodeStatus(page, 'second', 'running');
    expect((await nodeStatuses(page)).first).toBe('succeeded');
    // The edge into the running node animates.
    expect(await page.locator('.react-flow__edge .awe-edge.running').count()).toBe(1);
    await screenshotBothThemes(page, 'running');
    await waitForAllNodes(page, 'succeeded');

    const history = await statusHistory(page);
    for (const id of ['first', 'second', 'third']) {
      const seen = history[id];
      expect(seen, `statuses shown by ${id}`).toContain('running');
      expect(seen.indexOf('running'), `${id} ran before it succeeded`).toBeLessThan(seen.indexOf('succeeded'));
      expect(seen.at(-1)).toBe('succeeded');
    }
  });
});
