/**
 * Layout benchmark (printed, never asserted):
 *  (a) in Node: dagre (the former layout) against ELK layered with the options the app uses
 *      (src/renderer/lib/layout.ts), on 300/1,000/3,000-node workflows of mixed shapes and
 *      on 1,000 nodes of each shape alone (bench/workflow-shapes.ts); time, overlaps, and how
 *      many conditions show their true branch above the false one;
 *  (b) in headless Chromium against a real `awe serve`: the Auto layout button on 1,000 and
 *      3,000 nodes, time until the positions arrive and until they are on screen, and the
 *      longest main-thread task while the worker lays out (PerformanceObserver longtask).
 * Targets (issue 9): 1,000 nodes < 2 s, 3,000 < 8 s, longest main-thread task < 50 ms.
 *   npx tsx bench/layout.ts        (also run by `npm run bench`)
 * The machine's load average is printed with the figures: on a shared 2-core machine it
 * moves every time.
 * ELK in the Chromium worker is as fast as in Node for the same graph and the same warmth
 * (1,000 mixed nodes, load ~7.6: worker 1.43 s cold / 0.68 s warm, Node 1.62 s / 1.19 s);
 * what made the worker look slower was that (a) warms ELK up first and (b) measured the
 * worker's first, cold layout. The worker initialises ELK as it starts (layout.worker.ts).
 */
import { loadavg } from 'node:os';
import dagre from '@dagrejs/dagre';
import type { Page } from 'playwright-core';
import type { Workflow } from '../src/contract';
import { layoutGraph } from '../src/renderer/lib/layout';
import { layoutInput, type LayoutInput, type Positions } from '../src/renderer/lib/layout-input';
import { chromiumPath, ensureRendererBuilt, hasChromium, launchChromium, startAweServer, type AweServer } from '../tests/e2e/harness';
import { realisticWorkflow, type Shape } from './workflow-shapes';

const TARGET_MS: Record<number, number> = { 1_000: 2_000, 3_000: 8_000 };
const LONG_TASK_TARGET_MS = 50;

/** The layout the app used before ELK: dagre, left to right, same spacing. */
function dagreLayout(input: LayoutInput): Positions {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 28, ranksep: 64, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of input.nodes) g.setNode(n.id, { width: n.width, height: n.height });
  for (const e of input.edges) if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target);
  dagre.layout(g);
  const out: Positions = {};
  for (const n of input.nodes) {
    const p = g.node(n.id);
    out[n.id] = { x: Math.round(p.x - p.width / 2), y: Math.round(p.y - p.height / 2) };
  }
  return out;
}

/** Overlapping node pairs (sweep over x). */
function overlaps(input: LayoutInput, pos: Positions): number {
  const boxes = input.nodes.map((n) => ({ x: pos[n.id].x, y: pos[n.id].y, w: n.width, h: n.height })).sort((a, b) => a.x - b.x);
  let count = 0;
  for (let i = 0; i < boxes.length; i++)
    for (let j = i + 1; j < boxes.length && boxes[j].x < boxes[i].x + boxes[i].w; j++) if (boxes[j].y < boxes[i].y + boxes[i].h && boxes[i].y < boxes[j].y + boxes[j].h) count++;
  return count;
}

/** Conditions whose true branch is drawn above the false one, of those with both. */
function branchesInOrder(wf: Workflow, pos: Positions): string {
  let ok = 0;
  let all = 0;
  for (const n of wf.nodes) {
    if (n.kind !== 'condition') continue;
    const yes = wf.edges.find((e) => e.source === n.id && e.branch === 'true');
    const no = wf.edges.find((e) => e.source === n.id && e.branch === 'false');
    if (!yes || !no) continue;
    all++;
    if (pos[yes.target].y < pos[no.target].y) ok++;
  }
  return `${ok}/${all}`;
}

const secs = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(2)} s` : 'n/a');
const load = () => `load average ${loadavg()[0].toFixed(1)}`;

async function timed<T>(fn: () => T | Promise<T>): Promise<[T, number]> {
  const t0 = performance.now();
  const out = await fn();
  return [out, performance.now() - t0];
}

export async function benchNode(): Promise<void> {
  console.log(`\n== Layout in Node: dagre (before) vs ELK layered (now)   [${load()}]`);
  // Warm both up (JIT, ELK's one-time initialisation) so the first figure is not a start-up cost.
  const warm = layoutInput(realisticWorkflow(150));
  dagreLayout(warm);
  await layoutGraph(warm);
  const cases: { size: number; shapes: Shape[] }[] = [
    { size: 300, shapes: ['chain', 'fan', 'map', 'condition'] },
    { size: 1_000, shapes: ['chain', 'fan', 'map', 'condition'] },
    { size: 3_000, shapes: ['chain', 'fan', 'map', 'condition'] },
    { size: 1_000, shapes: ['chain'] },
    { size: 1_000, shapes: ['fan'] },
    { size: 1_000, shapes: ['map'] },
    { size: 1_000, shapes: ['condition'] },
  ];
  console.log(`  ${'workflow'.padEnd(38)} ${'dagre'.padStart(9)} ${'ELK'.padStart(9)}  ratio  overlaps d/E  true-above-false d / E`);
  for (const c of cases) {
    const wf = realisticWorkflow(c.size, c.shapes);
    const input = layoutInput(wf);
    const [d, dMs] = await timed(() => dagreLayout(input));
    const [e, eMs] = await timed(() => layoutGraph(input));
    const target = c.shapes.length > 1 && TARGET_MS[c.size] ? `  (target < ${secs(TARGET_MS[c.size])}: ${eMs < TARGET_MS[c.size] ? 'meets' : 'MISSES'})` : '';
    console.log(
      `  ${`${wf.nodes.length} nodes, ${wf.edges.length} edges: ${c.shapes.length > 1 ? 'mixed' : c.shapes[0]}`.padEnd(38)} ${secs(dMs).padStart(9)} ${secs(eMs).padStart(9)}  ` +
        `${(dMs / eMs).toFixed(1).padStart(4)}×  ${`${overlaps(input, d)}/${overlaps(input, e)}`.padStart(12)}  ${branchesInOrder(wf, d).padStart(8)} / ${branchesInOrder(wf, e)}${target}`,
    );
  }
}

/** Installed before the app loads: every long task, with its start and duration. */
function recordLongTasks() {
  const w = window as any;
  w.__longTasks = [] as [number, number][];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) w.__longTasks.push([e.startTime, e.duration]);
  }).observe({ type: 'longtask', buffered: true });
}

interface UiFigures {
  /** Click → positions back from the worker. */
  layoutMs: number;
  /** Click → the first frame drawn after the positions were applied. */
  onScreenMs: number;
  /** Longest main-thread task between the click and the positions' arrival. */
  longestWhileLayingOut: number;
  /** Longest task of applying the positions (store update and React Flow render). */
  longestApplying: number;
}

async function autoLayoutOnce(page: Page): Promise<UiFigures> {
  const before = await page.evaluate(() => performance.getEntriesByName('awe:layout-done').length);
  const clickAt = await page.evaluate(() => performance.now());
  await page.getByRole('button', { name: 'Auto layout' }).click();
  return page.evaluate(
    ({ before, clickAt }) =>
      new Promise<UiFigures>((resolve) => {
        const poll = () => {
          const done = performance.getEntriesByName('awe:layout-done')[before];
          if (!done) return void setTimeout(poll, 20);
          // The first frame after the task that applied the positions.
          requestAnimationFrame((frame) => {
            setTimeout(() => {
              const tasks = (window as any).__longTasks as [number, number][];
              const after = tasks.filter(([s]) => s + 1 >= clickAt);
              const whileLayingOut = after.filter(([s, d]) => s + d <= done.startTime).map(([, d]) => d);
              const applying = after.filter(([s, d]) => s <= done.startTime + 1 && s + d > done.startTime).map(([, d]) => d);
              resolve({
                layoutMs: done.startTime - clickAt,
                onScreenMs: frame - clickAt,
                longestWhileLayingOut: Math.max(0, ...whileLayingOut),
                longestApplying: Math.max(0, ...applying),
              });
            }, 500);
          });
        };
        poll();
      }),
    { before, clickAt },
  );
}

async function benchUiLayout(server: AweServer, browser: Awaited<ReturnType<typeof launchChromium>>, size: number): Promise<UiFigures> {
  const wf = realisticWorkflow(size);
  // Saved with positions on a plain grid, so opening it does not lay it out: the button does.
  const saved = { ...wf, id: `bench-layout-${size}`, name: `Layout bench ${size}`, nodes: wf.nodes.map((n, i) => ({ ...n, position: { x: (i % 40) * 260, y: Math.floor(i / 40) * 120 } })) };
  await server.api('/api/workflows', { body: saved });
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  try {
    await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
    await context.addInitScript(recordLongTasks);
    const page = await context.newPage();
    await page.goto(server.appUrl);
    await page.getByTestId('palette-item-text.template').waitFor();
    await page.getByRole('button', { name: 'Open', exact: true }).click();
    await page.getByRole('button', { name: `Open workflow ${saved.name}` }).click();
    // Zoomed out on a graph this large, the overview canvas draws the nodes (no node elements).
    await page.locator('.react-flow__node, .overview-layer').first().waitFor({ timeout: 300_000 });
    await page.waitForTimeout(1_000);
    return await autoLayoutOnce(page);
  } finally {
    await context.close();
  }
}

export async function benchUi(): Promise<void> {
  console.log(`\n== Auto layout in Chromium against awe serve (the toolbar button)   [${load()}]`);
  if (!hasChromium) {
    console.log(`  SKIPPED: no Chromium at ${chromiumPath} (set AWE_CHROMIUM=/path/to/chrome)`);
    return;
  }
  ensureRendererBuilt();
  const [server, browser] = await Promise.all([startAweServer(), launchChromium()]);
  try {
    for (const size of [1_000, 3_000]) {
      const f = await benchUiLayout(server, browser, size);
      const ok = (b: boolean) => (b ? 'meets' : 'MISSES');
      console.log(
        `  ${size.toLocaleString('en')} nodes: positions back in ${secs(f.layoutMs)} (target < ${secs(TARGET_MS[size])}: ${ok(f.layoutMs < TARGET_MS[size])}), on screen at ${secs(f.onScreenMs)}; ` +
          `longest main-thread task while laying out ${f.longestWhileLayingOut.toFixed(0)} ms (target < ${LONG_TASK_TARGET_MS} ms: ${ok(f.longestWhileLayingOut < LONG_TASK_TARGET_MS)}); ` +
          `applying the result ${f.longestApplying.toFixed(0)} ms   [${load()}]`,
      );
    }
  } finally {
    await browser.close();
    await server.close();
  }
}

export async function benchLayout(): Promise<void> {
  await benchNode();
  await benchUi();
}

if (process.argv[1] && /bench[\\/]layout\.ts$/.test(process.argv[1])) {
  benchLayout().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
