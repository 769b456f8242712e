/**
 * Editing by hand in Chromium against `awe serve`: build a workflow by dragging tools from
 * the palette, connecting their handles and filling the inspector form, then run it;
 * undo/redo by button and keyboard; a file that is not JSON refused with the reason and
 * nothing half-imported; a file with a cycle opened as a draft.
 */
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { hasChromium, latestRunId, nodeEl, nodeStatuses, screenshotBothThemes, useE2e, waitForAllNodes } from './support';

const canvasNodeIds = async (page: Page) => Object.keys(await nodeStatuses(page)).sort();

/** Drops a palette tool on the canvas at (x, y) of the pane; returns the new node's id. */
async function dropTool(page: Page, tool: string, at: { x: number; y: number }): Promise<string> {
  const before = new Set(await canvasNodeIds(page));
  await page.getByTestId(`palette-item-${tool}`).dragTo(page.locator('.react-flow__pane'), { targetPosition: at });
  await expect.poll(() => canvasNodeIds(page).then((ids) => ids.length)).toBe(before.size + 1);
  const id = (await canvasNodeIds(page)).find((x) => !before.has(x))!;
  await expect(nodeEl(page, id).textContent()).resolves.toContain(tool);
  return id;
}

const edgeCount = (page: Page) => page.locator('.react-flow__edge').count();

const upload = (page: Page, name: string, text: string) =>
  page.getByTestId('import-file').setInputFiles({ name, mimeType: 'application/json', buffer: Buffer.from(text) });

const GREETING = {
  version: 1,
  id: 'e2e-greeting',
  name: 'Greeting',
  nodes: [
    { id: 'hello', kind: 'tool', tool: 'text.template', inputs: { template: 'Hello' } },
    { id: 'shout', kind: 'tool', tool: 'json.transform', inputs: { data: { t: '{{nodes.hello.output.text}}' }, expression: '$uppercase(t)' } },
  ],
  edges: [{ id: 'hello-shout', source: 'hello', target: 'shout' }],
};

describe.skipIf(!hasChromium)('editing by hand (Chromium against awe serve)', () => {
  const e2e = useE2e();

  test('tools dragged from the palette, connected and filled in run to succeeded', async () => {
    const { page } = await e2e.openApp();
    await page.getByText('Type a goal, or drag a tool onto the canvas').waitFor();

    const template = await dropTool(page, 'text.template', { x: 200, y: 250 });
    const transform = await dropTool(page, 'json.transform', { x: 560, y: 250 });

    // Connect the template's output handle to the transform's input handle.
    await nodeEl(page, template).locator('.react-flow__handle.source').dragTo(nodeEl(page, transform).locator('.react-flow__handle.target'));
    await expect.poll(() => edgeCount(page)).toBe(1);

    // Fill the forms the inspector generates from each tool's input schema.
    const inspector = page.getByTestId('inspector');
    await nodeEl(page, template).click();
    await inspector.getByLabel('template', { exact: true }).click();
    await page.keyboard.press('ControlOrMeta+a');
    await inspector.getByLabel('template', { exact: true }).pressSequentially('made by hand');
    await nodeEl(page, transform).click();
    await inspector.getByLabel('data', { exact: true }).click();
    await page.keyboard.press('ControlOrMeta+a');
    await inspector.getByLabel('data', { exact: true }).pressSequentially(JSON.stringify({ t: `{{nodes.${template}.output.text}}` }));
    await inspector.getByLabel('expression', { exact: true }).click();
    await page.keyboard.press('ControlOrMeta+a');
    await inspector.getByLabel('expression', { exact: true }).pressSequentially('$uppercase(t)');
    await screenshotBothThemes(page, 'editing');

    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await waitForAllNodes(page, 'succeeded');

    // The edge carried the template's text into the transform.
    const run = await e2e.server.api(`/api/runs/${await latestRunId(e2e.server)}`);
    expect(run.nodes[transform].output).toEqual({ result: 'MADE BY HAND' });
    await inspector.getByText('MADE BY HAND').first().waitFor();
  });

  test('undo and redo a dropped node, by button and by Ctrl+Z / Ctrl+Shift+Z', async () => {
    const { page } = await e2e.openApp();
    const id = await dropTool(page, 'file.write', { x: 300, y: 300 });

    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => canvasNodeIds(page)).toEqual([]);
    await page.getByRole('button', { name: 'Redo' }).click();
    await expect.poll(() => canvasNodeIds(page)).toEqual([id]);

    await page.locator('.react-flow__pane').click({ position: { x: 40, y: 40 } });
    await page.keyboard.press('Control+z');
    await expect.poll(() => canvasNodeIds(page)).toEqual([]);
    await page.keyboard.press('Control+Shift+z');
    await expect.poll(() => canvasNodeIds(page)).toEqual([id]);
  });

  test('a file that is not JSON is refused with the reason and changes nothing; one with a cycle opens as an unsaved draft', async () => {
    const { page } = await e2e.openApp();
    await upload(page, 'greeting.awe.json', JSON.stringify(GREETING));
    await nodeEl(page, 'shout').waitFor();
    expect(await canvasNodeIds(page)).toEqual(['hello', 'shout']);
    await expect.poll(() => page.getByLabel('Workflow name').inputValue()).toBe('Greeting');

    await upload(page, 'bad.awe.json', 'this is { not json');
    const notJson = page.getByRole('alert').filter({ hasText: 'bad.awe.json was not imported' });
    await notJson.waitFor();
    await expect(notJson.textContent()).resolves.toContain('Not JSON in bad.awe.json');
    await screenshotBothThemes(page, 'bad-import');
    await notJson.getByRole('button', { name: 'Dismiss' }).click();
    // Nothing half-imported: the open workflow is the one from before.
    expect(await canvasNodeIds(page)).toEqual(['hello', 'shout']);
    expect(await page.getByLabel('Workflow name').inputValue()).toBe('Greeting');

    const cycle = {
      ...GREETING,
      id: 'e2e-cycle',
      name: 'Cycle',
      nodes: [
        { id: 'a', kind: 'tool', tool: 'text.template', inputs: { template: 'x' } },
        { id: 'b', kind: 'tool', tool: 'text.template', inputs: { template: 'y' } },
      ],
      edges: [
        { id: 'ab', source: 'a', target: 'b' },
        { id: 'ba', source: 'b', target: 'a' },
      ],
    };
    await upload(page, 'cycle.awe.json', JSON.stringify(cycle));
    // The imported greeting is unsaved: opening another file asks first.
    await page.getByRole('dialog', { name: 'Discard unsaved changes?' }).getByRole('button', { name: 'Discard changes' }).click();
    await nodeEl(page, 'b').waitFor();
    expect(await canvasNodeIds(page)).toEqual(['a', 'b']);
    const problems = page.getByTestId('inspector').getByRole('list', { name: 'Problems' });
    await expect.poll(() => problems.textContent(), { timeout: 10_000 }).toContain('cycle: a → b → a');
    expect(await page.getByRole('button', { name: 'Run', exact: true }).isDisabled()).toBe(true);
    const { workflows } = await e2e.server.api<{ workflows: { id: string }[] }>('/api/workflows');
    expect(workflows.map((w) => w.id)).not.toContain('e2e-cycle');
  });
});
