/**
 * Issue 8, scenarios 2 and 3, done the way the person did them in Chromium against
 * `awe serve`: typing `{{` into a field keeps the focus and offers references (Backspace
 * edits the text, never deletes the node); a number field switched to Expression holds
 * a reference; a Map node configured entirely from its form runs; a condition on `[]`
 * takes its labelled "false" branch. Every keystroke is typed, never filled.
 */
import { describe, expect, test } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { hasChromium, latestRunId, nodeEl, nodeStatuses, screenshotBothThemes, useE2e, waitForAllNodes, waitForNodeStatus } from './support';

const canvasNodeIds = async (page: Page) => Object.keys(await nodeStatuses(page)).sort();

/**
 * Drops a palette item (a tool, or a flow kind such as `map`) `dx`, `dy` pixels from the
 * pane's centre; returns the new node's id. (The first node is fitted to the centre.)
 */
async function drop(page: Page, item: string, dx: number, dy: number): Promise<string> {
  const before = new Set(await canvasNodeIds(page));
  const pane = page.locator('.react-flow__pane');
  const box = (await pane.boundingBox())!;
  await page.getByTestId(`palette-item-${item}`).dragTo(pane, { targetPosition: { x: box.width / 2 + dx, y: box.height / 2 + dy } });
  await expect.poll(() => canvasNodeIds(page).then((ids) => ids.length)).toBe(before.size + 1);
  return (await canvasNodeIds(page)).find((x) => !before.has(x))!;
}

async function connect(page: Page, from: string, to: string, handle = '.react-flow__handle.source') {
  const edges = await page.locator('.react-flow__edge').count();
  await nodeEl(page, from).locator(handle).dragTo(nodeEl(page, to).locator('.react-flow__handle.target'));
  await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(edges + 1);
}

/** The accessible name of the focused element (its aria-label), or its tag when it has none. */
const focused = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.tagName ?? null);

/** Selects a node by clicking its label on the canvas. */
const select = (page: Page, id: string) => nodeEl(page, id).locator('.awe-node-head').click();

/** Clicks the end of a field and types into it, key by key. */
async function typeInto(field: Locator, text: string) {
  await field.click();
  await field.press('End');
  await field.pressSequentially(text, { delay: 15 });
}

const field = (page: Page, name: string) => page.getByTestId('inspector').getByLabel(name, { exact: true });
const modeButton = (page: Page, name: string, mode: 'Fixed' | 'Expression') =>
  page.getByTestId('inspector').getByRole('group', { name: `${name} mode`, exact: true }).getByRole('button', { name: mode, exact: true });

describe.skipIf(!hasChromium)('expressions in every field, a form for every node kind (Chromium against awe serve)', () => {
  const e2e = useE2e();

  test('typing {{ keeps the focus in the field, offers references, and Backspace edits the text, not the node', async () => {
    const { page } = await e2e.openApp();
    const template = await drop(page, 'text.template', -300, 0);
    const targets: [tool: string, input: string][] = [
      ['artifact.save', 'content'],
      ['file.write', 'content'],
      ['json.transform', 'data'],
      ['human.approve', 'details'],
    ];
    const ids: string[] = [];
    for (const [i, [tool]] of targets.entries()) {
      ids.push(await drop(page, tool, 240, -210 + i * 105));
      await connect(page, template, ids[i]);
    }
    await select(page, template);
    await typeInto(field(page, 'template'), 'Quarterly report');

    for (const [i, [tool, input]] of targets.entries()) {
      await select(page, ids[i]);
      const box = field(page, input);
      await typeInto(box, '{{nodes.tem');
      // The focus stayed in the field through both braces, and the references are offered.
      expect(await focused(page), `${tool} ${input}`).toBe(input);
      await expect.poll(() => box.inputValue()).toBe('{{nodes.tem');
      const list = page.getByRole('listbox', { name: `References for ${input}` });
      await list.getByRole('option', { name: `{{nodes.${template}.output.text}}` }).waitFor();
      if (i === 0) await screenshotBothThemes(page, 'expression-autocomplete');
      await expect.poll(() => modeButton(page, input, 'Expression').getAttribute('aria-pressed')).toBe('true');

      // Backspace removes a character; the node stays on the canvas.
      await page.keyboard.press('Backspace');
      await expect.poll(() => box.inputValue()).toBe('{{nodes.te');
      expect(await canvasNodeIds(page)).toContain(ids[i]);
      expect(await focused(page)).toBe(input);

      // The list is navigated from the field: down to the `.text` reference, Enter inserts it.
      await page.keyboard.press('ArrowDown');
      await expect.poll(() => list.getByRole('option', { selected: true }).textContent()).toContain(`nodes.${template}.output.text`);
      await page.keyboard.press('Enter');
      await expect.poll(() => box.inputValue()).toBe(`{{nodes.${template}.output.text}}`);
      expect(await focused(page)).toBe(input);
    }
    expect((await canvasNodeIds(page)).length).toBe(5);

    // Outside a field, Delete still removes the selected node.
    await select(page, ids[3]);
    await page.getByTestId('inspector').getByRole('button', { name: 'Expression', exact: true }).first().focus();
    await page.keyboard.press('Backspace');
    expect(await canvasNodeIds(page)).toContain(ids[3]);
    await nodeEl(page, ids[3]).click();
    await page.keyboard.press('Delete');
    await expect.poll(() => canvasNodeIds(page).then((l) => l.includes(ids[3]))).toBe(false);

    // file.write would ask before writing; this run keeps to the nodes that need no approval.
    await nodeEl(page, ids[1]).click();
    await page.keyboard.press('Delete');
    await expect.poll(() => canvasNodeIds(page)).toEqual([template, ids[0], ids[2]].sort());

    // The references resolve when the nodes run: the artifact and the transform get the template's text.
    await select(page, ids[0]);
    await typeInto(field(page, 'name'), 'report.txt');
    await select(page, ids[2]);
    await typeInto(field(page, 'expression'), '$');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await waitForAllNodes(page, 'succeeded');
    const run = await e2e.server.api(`/api/runs/${await latestRunId(e2e.server)}`);
    expect(run.nodes[ids[2]].output).toEqual({ result: 'Quarterly report' });
    expect(run.run.snapshot.nodes.find((n: { id: string }) => n.id === ids[0]).inputs.content).toBe(`{{nodes.${template}.output.text}}`);
  });

  test("a reference dragged from the inspector's list lands in the field; clicking one inserts it at the caret", async () => {
    const { page } = await e2e.openApp();
    const first = await drop(page, 'text.template', -300, 0);
    const second = await drop(page, 'text.template', 270, 0);
    await connect(page, first, second);
    await select(page, second);
    const inspector = page.getByTestId('inspector');
    await inspector.getByText('References you can use').click();
    const refs = inspector.getByRole('list', { name: 'References' });
    const box = field(page, 'template');
    await refs.getByRole('button', { name: `{{nodes.${first}.output.text}}` }).dragTo(box);
    await expect.poll(() => box.inputValue()).toBe(`{{nodes.${first}.output.text}}`);
    await box.click();
    await box.press('Home');
    await box.pressSequentially('Says: ', { delay: 15 });
    await refs.getByRole('button', { name: `{{nodes.${first}.output}}`, exact: false }).first().click();
    await expect.poll(() => box.inputValue()).toBe(`Says: {{nodes.${first}.output}}{{nodes.${first}.output.text}}`);
    await expect.poll(() => focused(page)).toBe('template');
  });

  test('a number field switched to Expression holds a reference; a run input typed as a number feeds it', async () => {
    const { page } = await e2e.openApp();
    const input = await drop(page, 'input', -300, 0);
    const wait = await drop(page, 'util.wait', 270, 0);
    await connect(page, input, wait);

    // The Input node's own form: name, type, default — no magic input names typed by hand.
    await select(page, input);
    await typeInto(field(page, 'name'), 'delay');
    await field(page, 'type').selectOption({ label: 'number' });
    await typeInto(field(page, 'default'), '25');
    await screenshotBothThemes(page, 'input-node-form');

    await select(page, wait);
    // Fixed, the number field takes numbers; Expression makes it a text field for references.
    await modeButton(page, 'ms', 'Expression').click();
    await expect.poll(() => focused(page)).toBe('ms');
    await page.keyboard.type('{{input.de', { delay: 15 });
    const list = page.getByRole('listbox', { name: 'References for ms' });
    await list.getByRole('option', { name: '{{input.delay}}' }).waitFor();
    await page.keyboard.press('Enter');
    await expect.poll(() => field(page, 'ms').inputValue()).toBe('{{input.delay}}');
    await screenshotBothThemes(page, 'expression-number-field');

    // A checkbox switches the same way.
    const list2 = await drop(page, 'file.list', -300, 130);
    await select(page, list2);
    await expect.poll(() => field(page, 'recursive').getAttribute('type')).toBe('checkbox');
    // Typed straight after the click, while no frame comes (a busy machine): the field must
    // already hold the focus (it once took it a frame later and lost the first keys).
    await page.evaluate(() => {
      const w = window as unknown as { realRaf?: typeof requestAnimationFrame };
      w.realRaf = window.requestAnimationFrame;
      window.requestAnimationFrame = () => 0;
    });
    await modeButton(page, 'recursive', 'Expression').click();
    await page.keyboard.type('false', { delay: 15 });
    await page.evaluate(() => {
      window.requestAnimationFrame = (window as unknown as { realRaf: typeof requestAnimationFrame }).realRaf;
    });
    await expect.poll(() => field(page, 'recursive').inputValue()).toBe('false');
    await modeButton(page, 'recursive', 'Fixed').click();
    await expect.poll(() => field(page, 'recursive').getAttribute('type')).toBe('checkbox');
    await page.keyboard.press('Delete');
    await expect.poll(() => canvasNodeIds(page).then((l) => l.includes(list2))).toBe(true);
    await nodeEl(page, list2).click();
    await page.keyboard.press('Delete');
    await expect.poll(() => canvasNodeIds(page)).toEqual([input, wait].sort());

    // Run asks for the declared input, its default filled in; the person types another number.
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const form = page.getByRole('dialog', { name: 'Run inputs' });
    const delay = form.getByLabel('delay');
    await expect.poll(() => delay.inputValue()).toBe('25');
    await delay.press('Control+a');
    await delay.pressSequentially('40', { delay: 15 });
    await form.getByRole('button', { name: 'Start run' }).click();
    await form.waitFor({ state: 'detached' });
    await waitForAllNodes(page, 'succeeded');
    const run = await e2e.server.api(`/api/runs/${await latestRunId(e2e.server)}`);
    expect(run.run.inputs).toEqual({ delay: 40 });
    expect(run.nodes[wait].output.waitedMs).toBeGreaterThanOrEqual(35);
    expect(run.run.snapshot.settings.inputs).toEqual({ delay: { type: 'number', default: 25 } });
  });

  test('a Map node is configured from its form (Tool, items, per-item input, concurrency) and runs', async () => {
    const { page } = await e2e.openApp();
    const people = await drop(page, 'input', -300, 0);
    const map = await drop(page, 'map', 270, 0);
    await connect(page, people, map);

    await select(page, people);
    await typeInto(field(page, 'name'), 'people');
    await field(page, 'type').selectOption({ label: 'JSON' });
    await typeInto(field(page, 'default'), '["Ada", "Grace"]');

    await select(page, map);
    const inspector = page.getByTestId('inspector');
    await inspector.getByText('names no tool').first().waitFor();
    await field(page, 'Tool').selectOption({ label: 'Text template (text.template)' });
    await inspector.getByText('names no tool').waitFor({ state: 'detached' });
    await typeInto(field(page, 'items'), '{{input.pe');
    await page.getByRole('listbox', { name: 'References for items' }).getByRole('option', { name: '{{input.people}}' }).waitFor();
    await page.keyboard.press('Enter');
    await expect.poll(() => field(page, 'items').inputValue()).toBe('{{input.people}}');

    // The tool's input for one item: its field starts as the item; the person writes around it.
    const perItem = field(page, 'template');
    await expect.poll(() => perItem.inputValue()).toBe('{{item}}');
    await perItem.click();
    await perItem.press('Home');
    await perItem.pressSequentially('Hello ', { delay: 15 });
    await perItem.press('End');
    await perItem.pressSequentially(' ({{ind', { delay: 15 });
    await page.getByRole('listbox', { name: 'References for template' }).getByRole('option', { name: '{{index}}' }).waitFor();
    await page.keyboard.press('Enter');
    await page.keyboard.type(')');
    await expect.poll(() => perItem.inputValue()).toBe('Hello {{item}} ({{index}})');
    await typeInto(field(page, 'concurrency'), '2');
    await expect.poll(() => inspector.getByRole('list', { name: 'Problems' }).count()).toBe(0);
    await screenshotBothThemes(page, 'map-form');

    // Run asks for the declared input; its default is the list, and the person starts the run with it.
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const form = page.getByRole('dialog', { name: 'Run inputs' });
    await expect.poll(() => form.getByLabel('people').inputValue().then((v) => JSON.parse(v))).toEqual(['Ada', 'Grace']);
    await form.getByRole('button', { name: 'Start run' }).click();
    await form.waitFor({ state: 'detached' });
    await waitForAllNodes(page, 'succeeded');
    const run = await e2e.server.api(`/api/runs/${await latestRunId(e2e.server)}`);
    expect(run.nodes[map].output).toMatchObject({ results: [{ text: 'Hello Ada (0)' }, { text: 'Hello Grace (1)' }], succeeded: 2, failed: 0 });
    const stored = run.run.snapshot.nodes.find((n: { id: string }) => n.id === map);
    expect(stored).toMatchObject({ tool: 'text.template', inputs: { items: '{{input.people}}', with: { template: 'Hello {{item}} ({{index}})' }, concurrency: 2 } });
  });

  test("a Map over a file list reads each file: the per-item path follows the list's items", async () => {
    const { page } = await e2e.openApp();
    const files = await drop(page, 'file.list', -300, 0);
    const map = await drop(page, 'map', 270, 0);
    await connect(page, files, map);
    await select(page, map);
    await field(page, 'Tool').selectOption({ label: 'Read file (file.read)' });
    await expect.poll(() => field(page, 'path').inputValue()).toBe('{{item}}');
    await typeInto(field(page, 'items'), `{{nodes.${files}.output.ent`);
    await page.getByRole('listbox', { name: 'References for items' }).getByRole('option', { name: `{{nodes.${files}.output.entries}}` }).waitFor();
    await page.keyboard.press('Enter');
    // file.list entries have a `path`: the untouched per-item input now reads it.
    await expect.poll(() => field(page, 'path').inputValue()).toBe('{{item.path}}');
    await expect.poll(() => field(page, 'items').inputValue()).toBe(`{{nodes.${files}.output.entries}}`);
    expect(await canvasNodeIds(page)).toEqual([files, map].sort());
  });

  test('a condition on [] takes its "false" branch; the handles say true and false; the builder checks "is empty"', async () => {
    const { page } = await e2e.openApp();
    const cond = await drop(page, 'condition', -300, 0);
    const yes = await drop(page, 'text.template', 270, -110);
    const no = await drop(page, 'text.template', 270, 110);
    const handles = nodeEl(page, cond).locator('.handle-label');
    expect(await handles.allTextContents()).toEqual(['true', 'false']);
    await connect(page, cond, yes, '.react-flow__handle.branch-true');
    await connect(page, cond, no, '.react-flow__handle.branch-false');
    expect(await page.locator('.awe-edge-label').allTextContents()).toEqual(['true', 'false']);

    for (const [id, text] of [[yes, 'was true'], [no, 'was false']]) {
      await select(page, id);
      await typeInto(field(page, 'template'), text);
    }
    await select(page, cond);
    await typeInto(field(page, 'test'), '[]');
    await screenshotBothThemes(page, 'condition-form');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await waitForNodeStatus(page, no, 'succeeded');
    await waitForNodeStatus(page, yes, 'skipped');
    let run = await e2e.server.api(`/api/runs/${await latestRunId(e2e.server)}`);
    expect(run.nodes[cond].output).toEqual({ value: [], result: false });

    // The builder: "is empty" turns the same test true.
    await select(page, cond);
    await field(page, 'operator').selectOption({ label: 'is empty' });
    await page.getByTestId('inspector').getByText('[] is empty').waitFor();
    const firstRun = await latestRunId(e2e.server);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await expect.poll(() => latestRunId(e2e.server)).not.toBe(firstRun);
    await waitForNodeStatus(page, yes, 'succeeded');
    await waitForNodeStatus(page, no, 'skipped');
    run = await e2e.server.api(`/api/runs/${await latestRunId(e2e.server)}`);
    expect(run.nodes[cond].output).toEqual({ value: [], result: true });
  });
});
