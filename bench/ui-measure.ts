/**
 * What bench/ui.ts measures with, in the page and around it: a frame recorder and a
 * long-task observer installed before the app loads, frame-time summaries, and (with
 * AWE_BENCH_PROFILE=1) a CPU profile and a main-thread breakdown of a phase.
 */
import type { Page } from 'playwright-core';

export const FRAME_BUDGET_MS = 33;
export const LONG_TASK_MS = 100;

/** Installed before the app loads: a rAF frame recorder and a long-task observer. */
export function installRecorder() {
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

export interface FrameFigures {
  frames: number;
  p50: number;
  p95: number;
  max: number;
  over33: number;
  longTasks: number;
  longestTask: number;
}

export function percentile(sorted: number[], p: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

export function summarise({ frames, longTasks }: { frames: number[]; longTasks: number[] }): FrameFigures {
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

export async function measureFrames(page: Page, during: () => Promise<void>): Promise<FrameFigures> {
  await page.evaluate(() => (window as any).__benchStart());
  await during();
  return summarise(await page.evaluate(() => (window as any).__benchStop()));
}

/** Top self-time functions of a CPU profile taken while `during` runs (AWE_BENCH_PROFILE=1 only). */
export async function profile(page: Page, during: () => Promise<void>): Promise<string[]> {
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
    .slice(0, Number(process.env.AWE_BENCH_TOP ?? 12))
    .map(([k, ms]) => `${((ms / total) * 100).toFixed(1).padStart(5)} %  ${ms.toFixed(0).padStart(6)} ms  ${k}`);
}

/** Main-thread time by kind of work (script, style, layout, paint…) from a Chromium trace taken while `during` runs. */
export async function traceSummary(page: Page, during: () => Promise<void>): Promise<string[]> {
  const browser = page.context().browser()!;
  await browser.startTracing(page, { categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8'] });
  await during();
  const trace = JSON.parse((await browser.stopTracing()).toString('utf8')) as { traceEvents: { name: string; ph: string; dur?: number; tdur?: number; ts?: number; pid: number; tid: number; args?: any }[] };
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
  // Wall time and the thread's own CPU time (`tdur`): on a machine other work loads, a task's
  // wall time grows while it waits for a core; its CPU time says what it cost.
  const totals = new Map<string, { ms: number; cpu: number; count: number }>();
  for (const e of onMain) {
    const kind = KINDS[e.name];
    if (!kind) continue;
    const t = totals.get(kind) ?? { ms: 0, cpu: 0, count: 0 };
    t.ms += e.dur! / 1000;
    t.cpu += (e.tdur ?? e.dur!) / 1000;
    t.count++;
    totals.set(kind, t);
  }
  const lines = [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms).map(([k, t]) => `main thread ${k.padEnd(32)} ${t.ms.toFixed(0).padStart(6)} ms (CPU ${t.cpu.toFixed(0)} ms) in ${t.count}`);
  const cpuOfTasks = onMain.filter((e) => e.name === 'RunTask').map((e) => (e.tdur ?? e.dur!) / 1000);
  lines.push(`tasks over one frame (16.7 ms) of CPU: ${cpuOfTasks.filter((c) => c > 16.7).length}; the longest took ${Math.max(0, ...cpuOfTasks).toFixed(1)} ms of CPU`);
  // The longest tasks and what filled them: a missed frame is one long task, not the totals.
  const tasks = onMain.filter((e) => e.name === 'RunTask').sort((a, b) => b.dur! - a.dur!).slice(0, 6);
  for (const task of tasks) {
    const end = task.ts! + task.dur!;
    const inside = new Map<string, number>();
    for (const e of onMain) {
      const ts = e.ts!;
      const kind = KINDS[e.name];
      if (!kind || e.name === 'RunTask' || ts < task.ts! || ts + e.dur! > end) continue;
      inside.set(kind, (inside.get(kind) ?? 0) + e.dur! / 1000);
    }
    const parts = [...inside].sort((a, b) => b[1] - a[1]).map(([k, ms]) => `${k} ${ms.toFixed(1)}`);
    lines.push(`longest task ${(task.dur! / 1000).toFixed(1)} ms (CPU ${((task.tdur ?? task.dur!) / 1000).toFixed(1)} ms): ${parts.join(', ')}`);
  }
  return lines;
}

export const scaleOf = (page: Page) =>
  page.evaluate(() => {
    const m = /scale\(([\d.]+)\)/.exec((document.querySelector('.react-flow__viewport') as HTMLElement).style.transform);
    return m ? Number(m[1]) : 1;
  });

/** Drags the pane back and forth: `strokes` drags of `steps` mouse moves each. */
export async function pan(page: Page, strokes = 6, steps = 40): Promise<void> {
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

