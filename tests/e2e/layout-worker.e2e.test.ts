/**
 * Auto layout runs in a Web Worker (Chromium against `awe serve`, fresh data folder): while
 * a 1,000-node workflow is laid out, a timer in the page keeps firing (the main thread is
 * free), the progress indicator offers Cancel, and Cancel leaves every node where it was.
 * A workflow file without positions opens the same way. Small graphs still look right.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import type { BrowserContext, Page } from 'playwright-core';
import { realisticWorkflow } from '../../bench/workflow-shapes';
import { hasChromium, nodeEl, nodeSelector, root, screenBoxes, screenshotBothThemes, useE2e } from './support';

/**
 * The longest pause of the page's timer allowed while a layout runs. A frozen page pauses for
 * the whole layout (seconds at 1,000 nodes); with the worker, a pause past 100 ms was seen once
 * on 2 cores with software rendering while the worker held the other core (issue 9's < 50 ms
 * target is the bench's to show, not this test's).
 */
const MAX_TIMER_GAP_MS = 250;

/**
 * A warm worker lays out two nodes in ~20 ms here; a cold one (ELK just loaded) took 250–550 ms
 * more. The bound is this, or three times the same layout once surely warm, whichever is more:
 * a loaded machine slows both alike, and ELK's start-up still shows.
 */
const SMALL_LAYOUT_MS = 100;

/** LayoutProgress's SHOW_AFTER_MS: a layout quicker than this never shows the indicator. */
const PROGRESS_SHOW_AFTER_MS = 300;

/** Imports a workflow file as a person does: the document menu, Import, the file chooser. */
async function importFile(page: Page, name: string, content: { text: string } | { path: string }): Promise<void> {
  await page.getByRole('button', { name: 'More workflow actions' }).click();
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('menuitem', { name: 'Import .awe.json…' }).click();
  await (await chooser).setFiles('path' in content ? content.path : { name, mimeType: 'application/json', buffer: Buffer.from(content.text) });
}

/** Starts a 16 ms timer in the page that records when it fires. */
async function startTimer(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as any;
    clearInterval(w.__tick);
    w.__ticks = [performance.now()];
    w.__tick = setInterval(() => w.__ticks.push(performance.now()), 16);
  });
}

/** The timer's longest pause between `from` and `to` (page times), and how many times it fired. */
function longestGap(ticks: number[], from: number, to: number): { gap: number; ticks: number } {
  const inside = ticks.filter((t) => t >= from && t <= to);
  let gap = 0;
  for (let i = 1; i < inside.length; i++) gap = Math.max(gap, inside[i] - inside[i - 1]);
  return { gap, ticks: inside.length };
}

/** The longest pause of the timer over `ms` of an idle page: what this machine's load alone causes. */
async function idleGap(page: Page, ms: number): Promise<number> {
  await page.waitForTimeout(1_000); // let the render of the last change settle
  await startTimer(page);
  await page.waitForTimeout(ms);
  const ticks = await page.evaluate(() => (window as any).__ticks as number[]);
  return longestGap(ticks, 0, Infinity).gap;
}

/**
 * The page answered while the layout ran: the timer never paused longer than MAX_TIMER_GAP_MS
 * (or, on a machine so loaded that an idle page pauses longer, than twice what the idle page
 * paused over as long), nor longer than a third of the layout. A layout on the main thread
 * pauses the timer for the whole layout, so the second bound tells it apart however fast the
 * layout is: no precondition on the layout's own time, which a faster machine could fail.
 */
async function expectAnswering(page: Page, run: { ms: number; gap: number; ticks: number }, what: string): Promise<void> {
  const idle = await idleGap(page, Math.min(run.ms, 30_000));
  const limit = Math.min(Math.max(MAX_TIMER_GAP_MS, 2 * idle), run.ms / 3);
  const figures = `${run.ticks} ticks over ${Math.round(run.ms)} ms, longest pause ${Math.round(run.gap)} ms; idle page ${Math.round(idle)} ms; bound ${Math.round(limit)} ms`;
  expect(run.gap, `timer pauses ${what} (${figures})`).toBeLessThan(limit);
}

/**
 * The last layout's time (User Timing marks the app sets when it posts the layout and when
 * the positions arrive) and the timer's longest pause within it. The store update and render
 * that apply the positions come after the second mark: they are not the layout.
 */
async function layoutWindow(page: Page): Promise<{ ms: number; gap: number; ticks: number }> {
  const { start, done, ticks } = await page.evaluate(() => {
    const last = (name: string) => performance.getEntriesByName(name).at(-1)?.startTime ?? NaN;
    return { start: last('awe:layout-start'), done: last('awe:layout-done'), ticks: (window as any).__ticks as number[] };
  });
  return { ms: done - start, ...longestGap(ticks, start, done) };
}

const layoutsDone = (page: Page) => page.evaluate(() => performance.getEntriesByName('awe:layout-done').length);

/** The last layout's time from its User Timing marks (ms). */
const lastLayoutMs = (page: Page) =>
  page.evaluate(() => performance.getEntriesByName('awe:layout-done').at(-1)!.startTime - performance.getEntriesByName('awe:layout-start').at(-1)!.startTime);

/** From now on, notes in the page whether the layout progress indicator is ever shown, however briefly. */
const watchProgress = (page: Page) =>
  page.evaluate(() => {
    const w = window as any;
    w.__progressSeen = false;
    w.__progressWatch?.disconnect();
    w.__progressWatch = new MutationObserver((records) => {
      for (const r of records) for (const n of r.addedNodes) if (n instanceof Element && (n.matches('[aria-label="Layout in progress"]') || n.querySelector('[aria-label="Layout in progress"]'))) w.__progressSeen = true;
    });
    w.__progressWatch.observe(document.body, { childList: true, subtree: true });
  });
const progressSeen = (page: Page) => page.evaluate(() => (window as any).__progressSeen as boolean);

/**
 * Where each of `ids` is in the document, as a person sees it in the exported file: zoomed
 * out, a graph this large is drawn on one canvas (no node elements to read positions from).
 * An export takes a second or more on a loaded machine: polls of it get EXPORT_POLL.
 */
async function transforms(page: Page, ids: string[]): Promise<(string | null)[]> {
  await page.getByRole('button', { name: 'More workflow actions' }).click();
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('menuitem', { name: 'Export .awe.json' }).click()]);
  const doc = JSON.parse(await readFile((await download.path())!, 'utf8')) as { nodes: { id: string; position?: { x: number; y: number } }[] };
  const at = new Map(doc.nodes.map((n) => [n.id, n.position]));
  return ids.map((id) => {
    const p = at.get(id);
    return p ? `translate(${p.x}px, ${p.y}px)` : null;
  });
}

const EXPORT_POLL = { timeout: 30_000 };

/** How much longer every layout takes in the test that cancels one (see slowLayouts). */
const LAYOUT_EXTRA_MS = 1_000;

/**
 * Every layout the worker is asked for takes LAYOUT_EXTRA_MS longer: the worker's script is
 * served with its message handling held up that long (a busy wait, in the worker's thread, as a
 * slow layout would be). Warm, ELK lays out these 1,000 nodes in under SHOW_AFTER_MS at times,
 * and then there is no progress to see and no layout to cancel.
 */
let slowWorkersServed = 0;
async function slowLayouts(context: BrowserContext): Promise<void> {
  await context.route(/\/assets\/layout\.worker-[^/]+\.js$/, async (route) => {
    const response = await route.fetch();
    const hold = `{ const add = self.addEventListener.bind(self); self.addEventListener = (type, listener, options) => add(type, type === 'message' ? (event) => { const until = performance.now() + ${LAYOUT_EXTRA_MS}; while (performance.now() < until); listener(event); } : listener, options); }\n`;
    await route.fulfill({ response, body: hold + (await response.text()) });
    slowWorkersServed++;
  });
}

const progress = (page: Page) => page.getByRole('status', { name: 'Layout in progress' });

describe.skipIf(!hasChromium)('auto layout in a Web Worker (Chromium against awe serve)', () => {
  const e2e = useE2e();

  test('a 1,000-node file without positions opens while the page keeps answering; Auto layout keeps it answering; Cancel moves nothing; Undo restores', async () => {
    const { page } = await e2e.openApp({ theme: 'light', prepare: slowLayouts });
    const wf = realisticWorkflow(1_000);
    const sample = wf.nodes.filter((_, i) => i % 97 === 0).map((n) => n.id);

    // Open: the file has no positions, so it is laid out (in the worker) before it is drawn.
    await startTimer(page);
    await importFile(page, 'generated.awe.json', { text: JSON.stringify({ ...wf, id: 'generated-1000' }) });
    await expect(progress(page).textContent()).resolves.toMatch(/Arranging 1,00\d steps to open them/);
    expect(slowWorkersServed, 'the layout worker was served held up').toBeGreaterThan(0);
    await page.locator('.react-flow__node, .overview-layer').first().waitFor({ timeout: 180_000 });
    const opening = await layoutWindow(page);
    await progress(page).waitFor({ state: 'detached' });
    await expectAnswering(page, opening, 'while the file was laid out');

    // The same graph with positions on a plain grid: Auto layout moves every node.
    const grid = { ...wf, id: 'generated-grid', nodes: wf.nodes.map((n, i) => ({ ...n, position: { x: (i % 40) * 260, y: Math.floor(i / 40) * 120 } })) };
    await importFile(page, 'grid.awe.json', { text: JSON.stringify(grid) });
    await page.getByRole('button', { name: 'Discard changes' }).click();
    const onGrid = sample.map((id) => {
      const p = grid.nodes.find((n) => n.id === id)!.position;
      return `translate(${p.x}px, ${p.y}px)`;
    });
    await expect.poll(() => transforms(page, sample), EXPORT_POLL).toEqual(onGrid);
    const before = onGrid;

    // Auto layout, then Cancel while it runs: nothing moves, now or later.
    const autoLayout = page.getByRole('button', { name: 'Auto layout' });
    await autoLayout.click();
    await progress(page).waitFor();
    await page.getByRole('button', { name: 'Cancel layout' }).click();
    await progress(page).waitFor({ state: 'detached' });
    await page.waitForTimeout(1_500);
    expect(await transforms(page, sample)).toEqual(before);
    expect(await layoutsDone(page), 'the cancelled layout never delivered positions').toBe(1);

    // Auto layout to the end: the page keeps answering while the worker works.
    await startTimer(page);
    await autoLayout.click();
    await progress(page).waitFor();
    await expect.poll(() => layoutsDone(page), { timeout: 180_000 }).toBe(2);
    const layingOut = await layoutWindow(page);
    await progress(page).waitFor({ state: 'detached' });
    await expectAnswering(page, layingOut, 'during Auto layout');
    await expect.poll(() => transforms(page, sample).then((t) => t.every((x, i) => x !== null && x !== before[i])), EXPORT_POLL).toBe(true);
    const after = await transforms(page, sample);

    // One undo step brings back every position the layout changed.
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => transforms(page, sample), EXPORT_POLL).toEqual(before);
    await page.getByRole('button', { name: 'Redo' }).click();
    await expect.poll(() => transforms(page, sample), EXPORT_POLL).toEqual(after);
  }, 300_000);

  test('small workflows: opened without positions and after Auto layout, true branch above false, left to right (screenshots)', async () => {
    const { page } = await e2e.openApp({ theme: 'light' });
    await importFile(page, 'data-cleaning.awe.json', { path: join(root, 'resources', 'examples', 'data-cleaning.awe.json') });
    await nodeEl(page, 'changed').waitFor();
    await screenshotBothThemes(page, 'layout-on-open');
    const [check, yes, no] = await screenBoxes(page, ['changed', 'save_clean', 'note_unchanged'].map(nodeSelector));
    expect(yes.x).toBeGreaterThan(check.x + check.width / 2);
    expect(yes.y + yes.height / 2).toBeLessThan(no.y + no.height / 2);

    // A planned workflow, laid out again by hand: never a progress flash for a few nodes.
    await page.getByRole('textbox', { name: 'Goal' }).click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.getByRole('textbox', { name: 'Goal' }).pressSequentially('Draft a rollback runbook for the orders service and ask me before saving');
    await page.getByRole('button', { name: 'Plan' }).click();
    const choice = page.getByRole('button', { name: /Replace/ });
    await choice.click();
    // The plan is on the canvas (laid out before it is shown): its approval step, which the file had not.
    await nodeEl(page, 'approve').waitFor({ timeout: 20_000 });
    // The indicator shows only once a layout has run past PROGRESS_SHOW_AFTER_MS: a few nodes lay
    // out far quicker, so it never flashes (a fixed 600 ms look failed when a loaded machine
    // made this layout itself take longer, and the indicator was rightly up).
    const laidOut = await layoutsDone(page);
    await watchProgress(page);
    await page.getByRole('button', { name: 'Auto layout' }).click();
    await expect.poll(() => layoutsDone(page), { timeout: 60_000 }).toBe(laidOut + 1);
    await progress(page).waitFor({ state: 'detached' });
    const ms = await lastLayoutMs(page);
    if (await progressSeen(page)) expect(ms, 'the progress indicator flashed for a layout quicker than its threshold').toBeGreaterThanOrEqual(PROGRESS_SHOW_AFTER_MS - 1); // 1 ms: timer rounding
    await screenshotBothThemes(page, 'layout-small-planned');
  }, 120_000);

  test('a two-node file without positions opens at once: by the time a person opens it, the worker has ELK initialised', async () => {
    const { page } = await e2e.openApp({ theme: 'light' });
    // A person looks at the app for a few seconds before importing a file.
    await page.waitForTimeout(5_000);
    const tool = (id: string, label: string) => ({ id, kind: 'tool', tool: 'text.template', label, inputs: { template: label } });
    const text = JSON.stringify({ version: 1, id: 'two-steps', name: 'Two steps', nodes: [tool('a', 'First'), tool('b', 'Second')], edges: [{ id: 'a-b', source: 'a', target: 'b' }], settings: {} });
    await importFile(page, 'two-steps.awe.json', { text });
    await nodeEl(page, 'b').waitFor();
    const [a, b] = await screenBoxes(page, [nodeSelector('a'), nodeSelector('b')]);
    expect(b.x).toBeGreaterThan(a.x + a.width);
    // ELK's one-time initialisation alone took 0.5–1 s here when the worker had only loaded it.
    const layoutMs = await lastLayoutMs(page);
    // The same two nodes again, with ELK surely initialised: what this machine's load makes of a warm layout.
    const laidOut = await layoutsDone(page);
    await page.getByRole('button', { name: 'Auto layout' }).click();
    await expect.poll(() => layoutsDone(page)).toBe(laidOut + 1);
    const warmMs = await lastLayoutMs(page);
    expect(layoutMs, `opening laid out 2 nodes in ${Math.round(layoutMs)} ms; warm, the same took ${Math.round(warmMs)} ms`).toBeLessThan(Math.max(SMALL_LAYOUT_MS, 3 * warmMs));
  }, 120_000);
});
