/**
 * Issue 9 (frames), in Chromium against `awe serve`: panels re-render only for what they
 * show (a drag of another node re-renders neither the inspector nor the bottom panel), and
 * zoomed out the canvas draws simplified nodes whose edges still meet them where the
 * detailed nodes' handles are.
 */
import { describe, expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { hasChromium, nodeEl, useE2e, waitForAllNodes, type AweServer } from './support';
import { press, tabTo } from './keyboard';

type Counts = Record<string, number>;

const resetRenders = (page: Page) => page.evaluate(() => void ((window as unknown as { __aweRenderCounts: Counts }).__aweRenderCounts = {}));
const renders = (page: Page) => page.evaluate(() => ({ ...(window as unknown as { __aweRenderCounts: Counts }).__aweRenderCounts }));

/** Saves a workflow on the server, then opens it from the Open dialog as a person does. */
async function saveAndOpen(page: Page, server: AweServer, wf: { name: string }) {
  await server.api('/api/workflows', { body: wf });
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  await page.getByRole('button', { name: `Open workflow ${wf.name}` }).click({ timeout: 120_000 });
}

/** Drags a node by its header with the mouse, in small steps. */
async function dragNode(page: Page, id: string, dx: number, dy: number) {
  const box = (await nodeEl(page, id).boundingBox())!;
  const x = box.x + box.width / 2;
  const y = box.y + 12;
  await page.mouse.move(x, y);
  await page.mouse.down();
  for (let i = 1; i <= 12; i++) await page.mouse.move(x + (dx * i) / 12, y + (dy * i) / 12);
  await page.mouse.up();
}

const wrapperTransform = (page: Page, id: string) => page.locator(`.react-flow__node[data-id="${id}"]`).evaluate((el) => (el as HTMLElement).style.transform);

describe.skipIf(!hasChromium)('canvas at scale (issue 9, frames)', () => {
  const e2e = useE2e();

  test('moving nodes (another one, or the inspected one) re-renders neither the inspector nor the bottom panel', async () => {
    const { page } = await e2e.openApp();
    const tool = (id: string, x: number, y: number) => ({ id, kind: 'tool', tool: 'text.template', label: `Step ${id}`, inputs: { template: `hello from ${id}` }, position: { x, y } });
    await saveAndOpen(page, e2e.server, {
      version: 1,
      id: 'render-isolation',
      name: 'Render isolation',
      nodes: [tool('a', 0, 0), tool('b', 320, 0), tool('c', 0, 220)],
      edges: [{ id: 'a-b', source: 'a', target: 'b' }],
      settings: {},
    } as unknown as { name: string });
    await nodeEl(page, 'c').waitFor();
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await waitForAllNodes(page, 'succeeded');
    await page.getByTestId('timeline').getByRole('row').first().waitFor();

    await nodeEl(page, 'a').click();
    await expect.poll(() => page.getByTestId('inspector').getByLabel('Node label').inputValue()).toBe('Step a');
    await page.getByTestId('inspector').getByText('Succeeded').first().waitFor();
    await page.waitForTimeout(600); // validation after the selection settles

    const panels = ['Inspector', 'NodeInspector', 'RunRecord', 'RerunBar', 'BottomPanel', 'Timeline'];
    const expectNoPanelRenders = async (what: string) => {
      const counts = await renders(page);
      for (const panel of panels) expect(counts[panel] ?? 0, `${panel} rendered ${counts[panel]} times when ${what}`).toBe(0);
    };

    // Another node moves while this one is inspected: move c, inspect a again, then Undo puts c back.
    await dragNode(page, 'c', 180, 60);
    await nodeEl(page, 'a').click();
    await expect.poll(() => page.getByTestId('inspector').getByLabel('Node label').inputValue()).toBe('Step a');
    await page.waitForTimeout(900); // past the validation that follows an edit
    await resetRenders(page);
    const moved = await wrapperTransform(page, 'c');
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => wrapperTransform(page, 'c')).not.toBe(moved);
    await page.waitForTimeout(900);
    await expectNoPanelRenders('another node moved');

    // Dragging the inspected node itself: the inspector shows nothing that depends on where it sits.
    await resetRenders(page);
    const before = await wrapperTransform(page, 'a');
    await dragNode(page, 'a', 120, 160);
    await page.waitForTimeout(900);
    expect(await wrapperTransform(page, 'a')).not.toBe(before);
    await expectNoPanelRenders('the inspected node was dragged');

    // The counter does see renders: typing in the inspector re-renders it.
    await resetRenders(page);
    await page.getByTestId('inspector').getByLabel('Node label').press('End');
    await page.keyboard.type('!');
    await expect.poll(async () => (await renders(page)).NodeInspector ?? 0).toBeGreaterThan(0);
  });

  test('zoomed out, nodes are drawn simplified and edges still meet them at the handles', { timeout: 300_000 }, async () => {
    const { page } = await e2e.openApp();
    const nodes = [];
    const edges = [];
    for (let l = 0; l < 20; l++) {
      for (let i = 0; i < 20; i++) {
        nodes.push({ id: `n${l}_${i}`, kind: 'tool', tool: 'text.template', label: `Step ${l}.${i}`, inputs: { template: 'x' }, position: { x: l * 280, y: i * 110 } });
        if (l > 0) edges.push({ id: `e${l}_${i}`, source: `n${l - 1}_${i}`, target: `n${l}_${i}` });
      }
    }
    // 400 nodes fit into view well below the detail zoom: the first drawing is the simplified one.
    await saveAndOpen(page, e2e.server, { version: 1, id: 'lod', name: 'Level of detail', nodes, edges, settings: {} } as unknown as { name: string });
    await expect.poll(() => page.locator('.react-flow__node').count(), { timeout: 60_000 }).toBe(400);
    await page.waitForFunction(() => /scale\(0\.[0-3]/.test((document.querySelector('.react-flow__viewport') as HTMLElement).style.transform), undefined, { timeout: 30_000 });
    await expect.poll(() => page.locator('.awe-node-lod').count(), { timeout: 30_000 }).toBe(400);
    await expect.poll(() => page.locator('.react-flow__edge path.awe-edge').count()).toBe(edges.length);
    expect(await page.locator('.awe-node-lod .awe-node-label').count()).toBe(0);
    expect(await edgeMeetsNodes(page, 'e5_5', 'n4_5', 'n5_5')).toBe(true);

    // Zoom in past the detail threshold: full nodes, the same edges, still meeting the handles.
    const pane = (await page.locator('.react-flow__pane').boundingBox())!;
    await page.mouse.move(pane.x + pane.width / 2, pane.y + pane.height / 2);
    for (let i = 0; i < 40 && (await page.locator('.awe-node-lod').count()) > 0; i++) await page.mouse.wheel(0, -240);
    await expect.poll(() => page.locator('.awe-node-lod').count()).toBe(0);
    // Off-screen nodes are not drawn at this zoom: take an edge whose two nodes are both on the canvas.
    const shown = await page.evaluate(() => {
      for (const el of document.querySelectorAll<HTMLElement>('.react-flow__edge')) {
        const m = /^e(\d+)_(\d+)$/.exec(el.dataset.id ?? '');
        if (!m) continue;
        const [source, target] = [`n${Number(m[1]) - 1}_${m[2]}`, `n${m[1]}_${m[2]}`];
        if (document.querySelector(`.react-flow__node[data-id="${source}"]`) && document.querySelector(`.react-flow__node[data-id="${target}"]`)) return { edge: el.dataset.id!, source, target };
      }
      return null;
    });
    expect(shown).not.toBeNull();
    expect(await edgeMeetsNodes(page, shown!.edge, shown!.source, shown!.target)).toBe(true);
  });

  test('zoomed out on a large graph, one canvas draws it and a click on a drawn node selects it (and Ctrl-click adds one)', { timeout: 300_000 }, async () => {
    const { page } = await e2e.openApp();
    const nodes = [];
    const edges = [];
    for (let l = 0; l < 30; l++) {
      for (let i = 0; i < 20; i++) {
        nodes.push({ id: `n${l}_${i}`, kind: 'tool', tool: 'text.template', label: `Step ${l}.${i}`, inputs: { template: 'x' }, position: { x: l * 280, y: i * 110 } });
        if (l > 0) edges.push({ id: `e${l}_${i}`, source: `n${l - 1}_${i}`, target: `n${l}_${i}` });
      }
    }
    await saveAndOpen(page, e2e.server, { version: 1, id: 'overview', name: 'Overview', nodes, edges, settings: {} } as unknown as { name: string });
    const overview = page.getByRole('img', { name: /^Overview of 600 steps/ });
    await overview.waitFor({ timeout: 60_000 });
    // Fitted far below the detail zoom: no node and no edge is in the DOM, the canvas drew them.
    await page.waitForFunction(() => /scale\(0\.[0-2]/.test((document.querySelector('.react-flow__viewport') as HTMLElement).style.transform), undefined, { timeout: 30_000 });
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(0);
    expect(await page.locator('.react-flow__edge').count()).toBe(0);

    // Click where step 12.7 is drawn, as a person who sees its box does.
    await page.waitForTimeout(400); // the fit animation
    await page.mouse.click(...(await screenPoint(page, 12 * 280 + 105, 7 * 110 + 30)));
    await expect.poll(() => page.getByTestId('inspector').getByLabel('Node label').inputValue()).toBe('Step 12.7');
    // The selected node is a real one again (simplified), so it can be dragged.
    await expect.poll(() => page.locator('.react-flow__node .awe-node-lod.selected').count()).toBe(1);
    expect(await page.locator('.react-flow__node [data-node-id="n12_7"]').count()).toBe(1);

    // Ctrl-click adds a second node to the selection; a click on empty canvas clears it.
    await page.keyboard.down('Control');
    await page.mouse.click(...(await screenPoint(page, 20 * 280 + 105, 3 * 110 + 30)));
    await page.keyboard.up('Control');
    await expect.poll(() => page.locator('.react-flow__node .awe-node-lod.selected').count()).toBe(2);
    await page.mouse.click(...(await screenPoint(page, 12 * 280 + 245, 7 * 110 + 30))); // between two columns
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(0);
    await page.getByTestId('inspector').getByText('Select a node to edit its inputs').waitFor();

    // Zoomed in past the detail threshold, the canvas gives way to the full nodes.
    const pane = (await page.locator('.react-flow__pane').boundingBox())!;
    await page.mouse.move(pane.x + pane.width / 2, pane.y + pane.height / 2);
    for (let i = 0; i < 40 && (await overview.count()) > 0; i++) await page.mouse.wheel(0, -240);
    await expect.poll(() => overview.count()).toBe(0);
    await expect.poll(() => page.locator('.react-flow__node .awe-node-label').count()).toBeGreaterThan(0);
  });

  test('zoomed out on a large graph, the keyboard reaches the steps: Tab to the overview, arrows move, Enter opens the inspector', { timeout: 300_000 }, async () => {
    const { page } = await e2e.openApp();
    await saveAndOpen(page, e2e.server, gridWorkflow('overview-keys', 'Overview keys'));
    const overview = page.getByRole('img', { name: /^Overview of 600 steps/ });
    await overview.waitFor({ timeout: 60_000 });
    await page.waitForFunction(() => /scale\(0\.[0-2]/.test((document.querySelector('.react-flow__viewport') as HTMLElement).style.transform), undefined, { timeout: 30_000 });
    await page.waitForTimeout(400); // the fit animation

    // One Tab stop, with a focus ring; the keyboard starts on the step at the top left.
    await tabTo(page, overview, { max: 150 });
    const focused = page.getByTestId('overview-focused');
    await expect.poll(() => focused.textContent()).toBe('Step 0.0');
    await press(page, 'ArrowRight');
    await press(page, 'ArrowRight');
    await press(page, 'ArrowDown');
    await expect.poll(() => focused.textContent()).toBe('Step 2.1');
    await press(page, 'ArrowLeft');
    await press(page, 'ArrowDown');
    await expect.poll(() => focused.textContent()).toBe('Step 1.2');
    // The focused step is outlined on the canvas in the focus colour.
    const focusColour = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--text').trim());
    await expect.poll(() => ringColourAround(page, 1 * 280, 2 * 110)).toBe(focusColour);

    await press(page, 'Enter');
    await expect.poll(() => page.getByTestId('inspector').getByLabel('Node label').inputValue()).toBe('Step 1.2');
    await expect.poll(() => page.locator('.react-flow__node .awe-node-lod.selected').count()).toBe(1);
    expect(await page.locator('.react-flow__node [data-node-id="n1_2"]').count()).toBe(1);
    // The focus stays on the overview: the arrows go on from the selected step.
    await press(page, 'ArrowRight');
    await expect.poll(() => focused.textContent()).toBe('Step 2.2');
  });

  test('zoomed out on a large graph, every status change of a run is painted on the overview canvas', { timeout: 300_000 }, async () => {
    // ResizeObservers answer a second late, as on a busy machine: the timeline must keep to the
    // rows that fit from its first paint, not from when its observer first answers.
    const { page } = await e2e.openApp({ prepare: async (context) => void (await context.addInitScript(lateResizeObservers)) });
    await saveAndOpen(page, e2e.server, gridWorkflow('overview-run', 'Overview run'));
    const overview = page.getByRole('img', { name: /^Overview of 600 steps/ });
    await overview.waitFor({ timeout: 60_000 });
    await page.waitForTimeout(400); // the fit animation
    const idle = await boxColours(page);
    expect(new Set(Object.values(idle)).size).toBe(1);
    // While the run streams, the timeline keeps only the rows its height holds: the most it had.
    await page.evaluate(() => {
      const w = window as unknown as { __streamingRows: number };
      w.__streamingRows = 0;
      new MutationObserver(() => {
        if (document.querySelector('[data-testid="run-header"]')?.getAttribute('data-status') !== 'running') return;
        w.__streamingRows = Math.max(w.__streamingRows, document.querySelectorAll('.event-log tr').length);
      }).observe(document.querySelector('[data-testid="timeline"]')!, { subtree: true, childList: true, characterData: true });
    });
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.getByRole('img', { name: /^Overview of 600 steps: 600 succeeded/ }).waitFor({ timeout: 120_000 });
    const streamingRows = await page.evaluate(() => (window as unknown as { __streamingRows: number }).__streamingRows);
    const logHeight = await page.locator('.event-log').evaluate((el) => el.clientHeight);
    expect(streamingRows).toBeGreaterThan(0);
    expect(streamingRows).toBeLessThanOrEqual(Math.ceil(logHeight / 16) + 4);
    // Each batch repainted only the boxes it changed; every box must show the last status.
    const succeeded = await page.evaluate(() => {
      const probe = document.createElement('div');
      probe.className = 'awe-node awe-node-lod status-succeeded';
      probe.style.display = 'none';
      document.querySelector('.canvas')!.appendChild(probe);
      // The stylesheet mixes it (`color(srgb …)`): painted on a pixel, it reads back as the canvas has it.
      const pixel = document.createElement('canvas').getContext('2d')!;
      pixel.fillStyle = getComputedStyle(probe).backgroundColor;
      probe.remove();
      pixel.fillRect(0, 0, 1, 1);
      const [r, g, b] = pixel.getImageData(0, 0, 1, 1).data;
      return `rgb(${r}, ${g}, ${b})`;
    });
    await expect.poll(async () => Object.entries(await boxColours(page)).filter(([, c]) => c !== succeeded).map(([id]) => id).slice(0, 5)).toEqual([]);
    expect(Object.values(idle)[0]).not.toBe(succeeded);

    // Then 60 of the run's ~1,800 events (300 at once made the frame the run ended in the
    // longest); scrolling back through the log brings up to 300.
    const rows = page.getByTestId('timeline').locator('.event-log tr');
    await expect.poll(() => rows.count()).toBe(60);
    await rows.nth(3).hover();
    await page.mouse.wheel(0, 400);
    await expect.poll(() => rows.count()).toBe(300);
  });
});

/** A 30 × 20 grid of steps (600: above the overview's threshold), each fed by the one before it on its row. */
/** Runs in the page before the app: every ResizeObserver delivers its entries a second late. */
function lateResizeObservers() {
  const Native = window.ResizeObserver;
  window.ResizeObserver = class extends Native {
    constructor(callback: ResizeObserverCallback) {
      super((entries, observer) => void setTimeout(() => callback(entries, observer), 1_000));
    }
  };
}

function gridWorkflow(id: string, name: string) {
  const nodes = [];
  const edges = [];
  for (let l = 0; l < 30; l++) {
    for (let i = 0; i < 20; i++) {
      // Each layer waits 60 ms: the run streams for about two seconds, long enough to watch it.
      nodes.push({ id: `n${l}_${i}`, kind: 'tool', tool: 'util.wait', label: `Step ${l}.${i}`, inputs: { ms: 60 }, position: { x: l * 280, y: i * 110 } });
      if (l > 0) edges.push({ id: `e${l}_${i}`, source: `n${l - 1}_${i}`, target: `n${l}_${i}` });
    }
  }
  return { version: 1, id, name, nodes, edges, settings: {} } as unknown as { name: string };
}

/** The overview canvas's colour in the middle of each step's box (right of its status stripe), as `rgb(…)`. */
function boxColours(page: Page): Promise<Record<string, string>> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('.overview-layer')!;
    const ctx = canvas.getContext('2d')!;
    const m = /translate\(([-\d.]+)px, ?([-\d.]+)px\) scale\(([\d.]+)\)/.exec(document.querySelector<HTMLElement>('.react-flow__viewport')!.style.transform)!;
    const [tx, ty, zoom] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const dpr = window.devicePixelRatio || 1;
    const out: Record<string, string> = {};
    for (let l = 0; l < 30; l++) {
      for (let i = 0; i < 20; i++) {
        const x = Math.floor(dpr * (tx + zoom * (l * 280 + 140)));
        const y = Math.floor(dpr * (ty + zoom * (i * 110 + 32)));
        const [r, g, b] = ctx.getImageData(x, y, 1, 1).data;
        out[`n${l}_${i}`] = `rgb(${r}, ${g}, ${b})`;
      }
    }
    return out;
  });
}

/** The colour (`#rrggbb`) of the overview canvas just above the box at flow point (x, y), where the focus ring is drawn. */
function ringColourAround(page: Page, x: number, y: number): Promise<string> {
  return page.evaluate(
    ({ x, y }) => {
      const canvas = document.querySelector<HTMLCanvasElement>('.overview-layer')!;
      const m = /translate\(([-\d.]+)px, ?([-\d.]+)px\) scale\(([\d.]+)\)/.exec(document.querySelector<HTMLElement>('.react-flow__viewport')!.style.transform)!;
      const [tx, ty, zoom] = [Number(m[1]), Number(m[2]), Number(m[3])];
      const dpr = window.devicePixelRatio || 1;
      // The ring: 2 CSS pixels out from the box, 2 wide; its middle row is 3 pixels above the box's top.
      const px = Math.round(dpr * (tx + zoom * (x + 105)));
      const py = Math.round(dpr * (ty + zoom * y)) - Math.round(3 * dpr);
      const [r, g, b] = canvas.getContext('2d')!.getImageData(px, py, 1, 1).data;
      const asHex = (n: number) => n.toString(16).padStart(2, '0');
      return `#${asHex(r)}${asHex(g)}${asHex(b)}`;
    },
    { x, y },
  );
}

/** Where a point of the flow is on the screen, at the canvas's current pan and zoom. */
async function screenPoint(page: Page, x: number, y: number): Promise<[number, number]> {
  return page.evaluate(
    ({ x, y }) => {
      const viewport = document.querySelector<HTMLElement>('.react-flow__viewport')!;
      const m = /translate\(([-\d.]+)px, ?([-\d.]+)px\) scale\(([\d.]+)\)/.exec(viewport.style.transform)!;
      const pane = document.querySelector('.react-flow__pane')!.getBoundingClientRect();
      return [pane.left + Number(m[1]) + x * Number(m[3]), pane.top + Number(m[2]) + y * Number(m[3])] as [number, number];
    },
    { x, y },
  );
}

/** Whether the edge starts at the source node's right side and ends at the target's left side (on screen, within 10 px: the handle's half width). */
async function edgeMeetsNodes(page: Page, edgeId: string, source: string, target: string): Promise<boolean> {
  const r = await page.evaluate(
    ({ edgeId, source, target }) => {
      const path = document.querySelector<SVGPathElement>(`.react-flow__edge[data-id="${edgeId}"] path.awe-edge`);
      const s = document.querySelector(`.react-flow__node[data-id="${source}"]`)?.getBoundingClientRect();
      const t = document.querySelector(`.react-flow__node[data-id="${target}"]`)?.getBoundingClientRect();
      if (!path || !s || !t) return { ok: false, why: 'missing' };
      const m = path.getScreenCTM()!;
      const a = new DOMPoint(path.getPointAtLength(0).x, path.getPointAtLength(0).y).matrixTransform(m);
      const b = new DOMPoint(path.getPointAtLength(path.getTotalLength()).x, path.getPointAtLength(path.getTotalLength()).y).matrixTransform(m);
      // React Flow attaches an edge at the outer side of a handle, which straddles the node's border.
      const near = (x: number, y: number) => Math.abs(x - y) <= 10;
      return { ok: near(a.x, s.right) && a.y > s.top && a.y < s.bottom && near(b.x, t.left) && b.y > t.top && b.y < t.bottom, why: JSON.stringify({ a, b, s, t }) };
    },
    { edgeId, source, target },
  );
  if (!r.ok) console.log(`edge ${edgeId} does not meet ${source} → ${target}: ${r.why}`);
  return r.ok;
}
