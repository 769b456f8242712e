/**
 * The layout in progress, if any: what the progress indicator shows. The layout itself
 * runs in the layout worker (app/layout.ts); this store only says that it runs.
 */
import { createStore } from 'zustand/vanilla';

export interface LayoutJobInfo {
  /** Nodes being laid out. */
  nodeCount: number;
  /** `performance.now()` when it started. */
  startedAt: number;
  /** `auto`: the Auto layout button; `open`: a workflow opened without positions. */
  reason: 'auto' | 'open';
}

export interface LayoutState {
  job: LayoutJobInfo | null;
}

export interface LayoutActions {
  started(job: LayoutJobInfo): void;
  finished(): void;
}

export function createLayoutStore() {
  return createStore<LayoutState & LayoutActions>()((set) => ({
    job: null,
    started: (job) => set({ job }),
    finished: () => set({ job: null }),
  }));
}
