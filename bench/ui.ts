/**
 * UI benchmark, in headless Chromium against a real `awe serve` (printed, never asserted):
 *  (a) a 1,000-node workflow: time from Open to every node drawn, and frame times while
 *      panning (zoomed out with every node on screen, and at 100 % where panning brings
 *      nodes in and out of view);
 *  (b) a 2,000-node run streaming over 10,000 events while the canvas shows every node:
 *      p50/p95 frame time, frames over 33 ms, long tasks.
 * Targets (issue 5): p95 frame time under 33 ms, no long task over 100 ms.
 *   npx tsx bench/ui.ts            (also run by `npm run bench`)
 *   AWE_BENCH_PROFILE=1 npx tsx bench/ui.ts   adds a CPU profile of each phase: the
 *   functions that took the most time, to see what dominates when a target is missed.
 *   AWE_BENCH_CSS='…' injects a stylesheet into the app, to try a rendering change (e.g.
 *   `.awe-node { animation: none !important }`) without rebuilding the UI.
 */
import type { Browser, Page } from 'playwright-core';
import { chromiumPath, ensureRendererBuilt, hasChromium, launchChromium, startAweServer, type AweServer } from '../tests/e2e/harness';

const OPEN_NODES = 1_000;
const RUN_NODES = 2_000;
const FRAME_BUDGET_MS = 33;
const LONG_TASK_MS = 100;

/** A layered DAG (`layers` × `width`) of nodes laid out on a grid; each node depends on one or two nodes of the layer before. */
export function layeredWorkflow(id: string, layers: number, width: number, node: (layer: number, i: number) => Record<string, unknown>) {
  const nodes = [];
  const edges = [];
  for (let l = 0; l < layers; l++) {
    for (let i = 0; i < width; i++) {
      nodes.push({ id: `n${l}_${i}`, kind: 'tool', position: { x: l * 280, y: i * 110 }, ...node(l, i) });
      if (l === 0) continue;
      const parents = new Set([i, (i * 7 + l) % width]);
      for (const p of parents) edges.push({ id: `e${l - 1}_${p}-${l}_${i}`, source: `n${l - 1}_${p}`, target: `n${l}_${i}` });
    }
  }
  return { version: 1, id, name: `Bench: ${layers * width} nodes`, nodes, edges, settings: { concurrency: 16 } };
}

/** Installed before the app loads: a rAF frame recorder and a long-task observer. */
function installRecorder() {
  const w = window as any;
  const bench = { recording: false, frames: [] as number[], longTasks: [] as number[] };
  w.__bench = bench;
  new PerformanceObserver((list) => {
    if (bench.recording) for (const e of list.getEntries()) bench.longTasks.push(e.duration);
  }).observe({ type: 'longtask', buffered: false });
  w.__benchStart = () => {
    bench.frames = [];
    bench.longTasks = [];
    bench.recording = true;
    let last = -1;
    const tick = (t: number) => {
      if (!bench.recording) return;
      if (last >= 0) bench.frames.push(t - last);
      last = t;
      requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
  };
  w.__benchStop = () => {
    bench.recording = false;
    return { frames: bench.frames, longTasks: bench.longTasks };
  };
}

interface FrameFigures {
  frames: number;
  p50: number;
  p95: number;
  max: number;
  over33: number;
  longTasks: number;
  longestTask: number;
}

function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summarise({ frames, longTasks }: { frames: number[]; longTasks: number[] }): FrameFigures {
  const sorted = [...frames].sort((a, b) => a - b);
  return {
    frames: frames.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted.at(-1) ?? NaN,
    over33: frames.filter((f) => f > FRAME_BUDGET_MS).length,
    longTasks: longTasks.filter((d) => d > LONG_TASK_MS).length,
    longestTask: longTasks.length ? Math.max(...longTasks) : 0,
  };
}

async function measureFrames(page: Page, during: () => Promise<void>): Promise<FrameFigures> {
  await page.evaluate(() => (window as any).__benchStart());
  await during();
  return summarise(await page.evaluate(() => (window as any).__benchStop()));
}

/** Top self-time functions of a CPU profile taken while `during` runs (AWE_BENCH_PROFILE=1 only). */
async function profile(page: Page, during: () => Promise<void>): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Profiler.enable');
  await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
  await cdp.send('Profiler.start');
  await during();
  const { profile: p } = await cdp.send('Profiler.stop');
  await cdp.detach();
  const byNode = new Map<number, { name: string; url: string; line: number }>();
  for (const n of p.nodes) byNode.set(n.id, { name: n.callFrame.functionName || '(anonymous)', url: n.callFrame.url, line: n.callFrame.lineNumber });
  const self = new Map<string, number>();
  const dt = p.timeDeltas ?? [];
  let total = 0;
  (p.samples ?? []).forEach((id, i) => {
    const f = byNode.get(id)!;
    const key = `${f.name} ${f.url ? `${f.url.split('/').pop()}:${f.line + 1}` : ''}`.trim();
    const ms = (dt[i] ?? 0) / 1000;
    total += ms;
    self.set(key, (self.get(key) ?? 0) + ms);
  });
  return [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 12)
    .map(([k, ms]) => `${((ms / total) * 100).toFixed(1).padStart(5)} %  ${ms.toFixed(0).padStart(6)} ms  ${k}`);
}

/** Main-thread time by kind of work (script, style, layout, paint…) from a Chromium trace taken while `during` runs. */
async function traceSummary(page: Page, during: () => Promise<void>): Promise<string[]> {
  const browser = page.context().browser()!;
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8'] });
  await during();
  const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: { name: string; ph: string; dur?: number; pid: number; tid: number; args?: any }[] };
  const events = trace.traceEvents;
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain');
  const onMain = events.filter((e) => main && e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.dur);
  const KINDS: Record<string, string> = {
    FunctionCall: 'script (FunctionCall)',
    EvaluateScript: 'script (EvaluateScript)',
    FireAnimationFrame: 'requestAnimationFrame callbacks',
    EventDispatch: 'DOM event handlers',
    UpdateLayoutTree: 'style recalculation',
    Layout: 'layout',
    PrePaint: 'pre-paint',
    Paint: 'paint',
    Layerize: 'layerize',
    'MinorGC': 'minor GC',
    'MajorGC': 'major GC',
    RunTask: 'all tasks (RunTask)',
  };
  const totals = new Map<string, { ms: number; count: number }>();
  for (const e of onMain) {
    const kind = KINDS[e.name];
    if (!kind) continue;
    const t = totals.get(kind) ?? { ms: 0, count: 0 };
    t.ms += e.dur! / 1000;
    t.count++;
    totals.set(kind, t);
  }
  return [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms).map(([k, t]) => `main thread ${k.padEnd(32)} ${t.ms.toFixed(0).padStart(6)} ms in ${t.count}`);
}

const scaleOf = (page: Page) =>
  page.evaluate(() => {
    const m = /scale\(([\d.]+)\)/.exec((document.querySelector('.react-flow__viewport') as HTMLElement).style.transform);
    return m ? Number(m[1]) : 1;
  });

/** Drags the pane back and forth: `strokes` drags of `steps` mouse moves each. */
async function pan(page: Page, strokes = 6, steps = 40): Promise<void> {
  const box = (await page.locator('.react-flow__pane').boundingBox())!;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  for (let s = 0; s < strokes; s++) {
    const dir = s % 2 === 0 ? 1 : -1;
    await page.mouse.move(cx - dir * 250, cy - dir * 120);
    await page.mouse.down();
    for (let i = 1; i <= steps; i++) await page.mouse.move(cx - dir * 250 + (dir * 500 * i) / steps, cy - dir * 120 + (dir * 240 * i) / steps);
    await page.mouse.up();
  }
}

async function openApp(browser: Browser, server: AweServer): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  // tsx keeps function names with a `__name` helper that page-side functions would lack.
  await context.addInitScript({ content: 'globalThis.__name = (f) => f;' });
  await context.addInitScript(installRecorder);
  const page = await context.newPage();
  if (process.env.AWE_BENCH_CSS) {
    const css = process.env.AWE_BENCH_CSS;
    page.on('load', () => void page.addStyleTag({ content: css }).catch(() => undefined));
  }
  await page.goto(server.appUrl);
  await page.getByTestId('palette-item-text.template').waitFor();
  return page;
}

/** Opens a saved workflow from the Open dialog; returns ms from the click to the first and to the last node drawn. */
async function openSaved(page: Page, name: string, nodeCount: number): Promise<{ firstNode: number; allNodes: number }> {
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  const item = page.getByRole('button', { name: `Open workflow ${name}` });
  await item.waitFor();
  const timing = page.evaluate((want) => {
    return new Promise<{ firstNode: number; allNodes: number }>((done) => {
      let t0 = -1;
      let first = -1;
      document.addEventListener('click', () => (t0 = performance.now()), { capture: true, once: true });
      const check = () => {
        if (t0 < 0) return requestAnimationFrame(check);
        // React Flow keeps a node hidden until it is measured; count the drawn ones.
        let drawn = 0;
        for (const el of document.querySelectorAll<HTMLElement>('.react-flow__node')) if (el.style.visibility !== 'hidden') drawn++;
        const now = performance.now();
        if (drawn > 0 && first < 0) first = now - t0;
        if (drawn >= want) return done({ firstNode: first, allNodes: now - t0 });
        if (now - t0 > 60_000) return done({ firstNode: first, allNodes: NaN });
        requestAnimationFrame(check);
      };
      requestAnimationFrame(check);
    });
  }, nodeCount);
  await item.click();
  return timing;
}

async function benchOpenAndPan(browser: Browser, server: AweServer, profiling: boolean) {
  const wf = layeredWorkflow('bench-ui-open', 40, OPEN_NODES / 40, (l, i) => ({ tool: 'text.template', label: `Step ${l}.${i}`, inputs: { template: `layer ${l} item ${i}` } }));
  await server.api('/api/workflows', { body: wf });
  const page = await openApp(browser, server);
  try {
    const open = await openSaved(page, wf.name, OPEN_NODES);
    // Let the fit-view animation settle before panning.
    await page.waitForFunction(() => !document.querySelector('.react-flow__viewport')?.getAnimations?.().length, undefined, { timeout: 5_000 }).catch(() => undefined);
    const zoomedOut = await measureFrames(page, () => pan(page));
    const box = (await page.locator('.react-flow__pane').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    for (let i = 0; i < 60 && (await scaleOf(page)) < 0.95; i++) await page.mouse.wheel(0, -200);
    const zoom = await scaleOf(page);
    const zoomedIn = await measureFrames(page, () => pan(page));
    const hotspots = profiling ? [...(await traceSummary(page, () => pan(page))), ...(await profile(page, () => pan(page)))] : [];
    return { open, zoomedOut, zoomedIn, zoom, hotspots };
  } finally {
    await page.context().close();
  }
}

/** Every event of the run, paging through its log. */
async function countEvents(server: AweServer, runId: string): Promise<number> {
  let after = 0;
  let total = 0;
  for (let guard = 0; guard < 10_000; guard++) {
    const page = await server.api<{ events: unknown[]; last_seq: number }>(`/api/runs/${runId}/events?after=${after}`);
    if (!page.events.length) break;
    total += page.events.length;
    after = page.last_seq;
  }
  return total;
}

async function benchLiveRun(browser: Browser, server: AweServer, profiling: boolean) {
  // Each node: queued, running, output, verdict (nonEmpty acceptance), succeeded = 5 events.
  const wf = layeredWorkflow('bench-ui-run', 50, RUN_NODES / 50, (l, i) => ({
    tool: 'util.wait',
    label: `Wait ${l}.${i}`,
    inputs: { ms: (l * 3 + i) % 6 },
    acceptance: { nonEmpty: true },
  }));
  await server.api('/api/workflows', { body: wf });
  const page = await openApp(browser, server);
  try {
    await openSaved(page, wf.name, RUN_NODES);
    const runButton = page.getByRole('button', { name: 'Run', exact: true });
    await runButton.waitFor();
    const runOnce = async () => {
      const before = await page.evaluate(() => document.querySelector('[data-testid="run-header"]')?.getAttribute('data-run-id') ?? null);
      const t0 = Date.now();
      await runButton.click();
      await page.waitForFunction(
        (prev) => {
          const header = document.querySelector('[data-testid="run-header"]');
          return !!header && header.getAttribute('data-run-id') !== prev && header.getAttribute('data-status') === 'succeeded';
        },
        before,
        { timeout: 300_000, polling: 250 },
      );
      return Date.now() - t0;
    };
    let seconds = 0;
    const frames = await measureFrames(page, async () => void (seconds = (await runOnce()) / 1000));
    const { runs } = await server.api<{ runs: { runId: string }[] }>('/api/runs?limit=1');
    const events = await countEvents(server, runs[0].runId);
    const succeeded = await page.locator('.react-flow__node [data-status="succeeded"]').count();
    const hotspots = profiling ? [...(await traceSummary(page, async () => void (await runOnce()))), ...(await profile(page, async () => void (await runOnce())))] : [];
    return { frames, seconds, events, succeeded, hotspots };
  } finally {
    await page.context().close();
  }
}

const ms = (n: number) => (Number.isFinite(n) ? `${n.toFixed(1)} ms` : 'n/a');
const verdict = (ok: boolean) => (ok ? 'meets target' : 'MISSES TARGET');

function frameLine(label: string, f: FrameFigures): string {
  return (
    `  ${label.padEnd(34)} p50 ${ms(f.p50).padStart(9)}  p95 ${ms(f.p95).padStart(9)}  max ${ms(f.max).padStart(9)}  ` +
    `frames>33ms ${String(f.over33).padStart(4)}/${f.frames}  long tasks>100ms ${f.longTasks} (longest ${ms(f.longestTask)})  ` +
    `[p95 ${verdict(f.p95 < FRAME_BUDGET_MS)}; long tasks ${verdict(f.longTasks === 0)}]`
  );
}

export async function benchUi(): Promise<void> {
  console.log('\n== UI (Chromium against awe serve)');
  if (!hasChromium) {
    console.log(`  SKIPPED: no Chromium at ${chromiumPath} (set AWE_CHROMIUM=/path/to/chrome)`);
    return;
  }
  const profiling = process.env.AWE_BENCH_PROFILE === '1';
  ensureRendererBuilt();
  const [server, browser] = await Promise.all([startAweServer(), launchChromium()]);
  try {
    const a = await benchOpenAndPan(browser, server, profiling);
    console.log(`  ${OPEN_NODES.toLocaleString('en')}-node workflow: Open → first node drawn ${ms(a.open.firstNode)}, → all ${OPEN_NODES.toLocaleString('en')} drawn ${ms(a.open.allNodes)}`);
    console.log(frameLine(`panning, zoomed out (all on screen)`, a.zoomedOut));
    console.log(frameLine(`panning at ${Math.round(a.zoom * 100)} % zoom`, a.zoomedIn));
    for (const line of a.hotspots) console.log(`    ${line}`);

    const b = await benchLiveRun(browser, server, profiling);
    console.log(
      `  ${RUN_NODES.toLocaleString('en')}-node run on screen: ${b.events.toLocaleString('en')} events in ${b.seconds.toFixed(1)} s ` +
        `(${Math.round(b.events / b.seconds).toLocaleString('en')}/s); ${b.succeeded} nodes shown succeeded`,
    );
    console.log(frameLine('frames while the run streams', b.frames));
    for (const line of b.hotspots) console.log(`    ${line}`);
    console.log(`  targets: p95 frame < ${FRAME_BUDGET_MS} ms, no long task > ${LONG_TASK_MS} ms (printed, not asserted)`);
  } finally {
    await browser.close();
    await server.close();
  }
}

if (process.argv[1] && /bench[\\/]ui\.ts$/.test(process.argv[1])) {
  benchUi().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
