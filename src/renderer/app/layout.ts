/**
 * Auto layout and layout on open, run in the layout Web Worker so the page keeps drawing
 * and answering clicks whatever the graph's size. One layout at a time; Cancel ends the
 * worker and leaves every position as it was. The result is applied in one store update
 * (one undo step).
 */
import { useStore } from 'zustand';
import type { Workflow } from '../../contract';
import { createLayoutClient, LayoutCancelled, type LayoutJob, type LayoutWorker } from '../lib/layout-client';
import { layoutInput, placed, rankedPositions, type LayoutInput, type Positions } from '../lib/layout-input';
import { createLayoutStore, type LayoutActions, type LayoutJobInfo, type LayoutState } from '../stores/layout';
import { graphStore, uiStore } from './stores';

export const layoutStore = createLayoutStore();
export const useLayout = <T,>(selector: (s: LayoutState & LayoutActions) => T): T => useStore(layoutStore, selector);

// Vite bundles the worker from this exact `new Worker(new URL(…), { type: 'module' })` form,
// for the browser build and the Electron renderer alike.
const client = createLayoutClient(() => new Worker(new URL('../lib/layout.worker.ts', import.meta.url), { type: 'module', name: 'layout' }) as unknown as LayoutWorker);

let current: LayoutJob | undefined;

/**
 * Loads the worker (and ELK in it) while the page is idle after start-up, so opening even a
 * two-node file is not held up by the library's first load.
 */
export function warmLayoutWorker(): void {
  const idle = (globalThis as { requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => void }).requestIdleCallback;
  if (idle) idle(() => client.warm(), { timeout: 2000 });
  else setTimeout(() => client.warm(), 200);
}

/** Runs one layout in the worker; undefined when it was cancelled. Starting one cancels the one running. */
async function runLayout(input: LayoutInput, reason: LayoutJobInfo['reason']): Promise<Positions | undefined> {
  current?.cancel();
  // User Timing marks, so a bench or test in the page can tell the layout's time from the
  // main thread's work of applying its result.
  performance.mark('awe:layout-start', { detail: { nodes: input.nodes.length, reason } });
  const job = client.layout(input);
  current = job;
  layoutStore.getState().started({ nodeCount: input.nodes.length, startedAt: performance.now(), reason });
  try {
    const positions = await job.done;
    performance.mark('awe:layout-done');
    return positions;
  } catch (e) {
    if (e instanceof LayoutCancelled) return undefined;
    throw e;
  } finally {
    if (current === job) {
      current = undefined;
      layoutStore.getState().finished();
    }
  }
}

/** Stops the layout in progress; nothing moves. */
export function cancelLayout(): void {
  current?.cancel();
}

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Arranges the graph left to right (the toolbar's Auto layout), using measured node sizes where known. */
export async function autoLayout(sizes?: ReadonlyMap<string, { width: number; height: number }>): Promise<void> {
  const wf = graphStore.getState().workflow;
  // A second click while one runs changes nothing: the first result is on its way.
  if (!wf.nodes.length || layoutStore.getState().job) return;
  let positions: Positions | undefined;
  try {
    positions = await runLayout(layoutInput(wf, sizes), 'auto');
  } catch (e) {
    uiStore.getState().notify('error', `Auto layout failed: ${reason(e)}. Nothing was moved.`);
    return;
  }
  if (!positions) return;
  // Another document opened meanwhile: these positions are not its.
  if (graphStore.getState().workflow.id !== wf.id) return;
  graphStore.getState().applyLayout(positions);
  uiStore.getState().requestFit();
}

/**
 * A document where every node has a position: as it is when it has them, else laid out in
 * the worker. Cancelled or failed, the steps are arranged in columns by depth instead
 * (instant), so the workflow still opens with nothing on top of anything.
 */
export async function withPositions(wf: Workflow): Promise<Workflow> {
  if (wf.nodes.every((n) => n.position)) return wf;
  const input = layoutInput(wf);
  try {
    return placed(wf, (await runLayout(input, 'open')) ?? rankedPositions(input));
  } catch (e) {
    uiStore.getState().notify('error', `Could not lay out “${wf.name}”: ${reason(e)}. Its steps are arranged in columns instead.`);
    return placed(wf, rankedPositions(input));
  }
}
