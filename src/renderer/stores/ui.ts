/**
 * UI state: theme (persisted), panel sizes (persisted), selection, bottom panel, dialogs,
 * the pending replan diff and transient messages.
 */
import { createStore } from 'zustand/vanilla';
import type { Workflow, WorkflowDiff } from '../../contract';

export type Theme = 'light' | 'dark';
export type Dialog = 'settings' | 'open' | 'rerun-inputs' | 'compare' | null;
export type BottomTab = 'timeline' | 'artifacts' | 'dead-letters' | 'scorecard';

export interface PendingPlan {
  workflow: Workflow;
  diff: WorkflowDiff;
  explanation: string;
}

/** What the planner said about the plan it made, kept for the workflow it made. */
export interface PlanNote {
  workflowId: string;
  goal: string;
  planner: 'offline' | 'llm';
  explanation: string;
}

export interface Toast {
  id: number;
  kind: 'info' | 'error';
  text: string;
  /** Validator problems to list under the message (import, run start). */
  details?: string[];
  /**
   * Where the problem comes from (`workflow` for the document's validation problems,
   * `plan`, `save`, `rerun`, …): a new message from the same source replaces the old one,
   * and `resolve(key)` takes it away once the problem is fixed.
   */
  key?: string;
}

/** How long a success or info message stays. Errors stay until dismissed or resolved. */
export const INFO_TOAST_MS = 4000;

export interface UiState {
  theme: Theme;
  leftWidth: number;
  rightWidth: number;
  bottomHeight: number;
  bottomOpen: boolean;
  bottomTab: BottomTab;
  selectedNodeIds: string[];
  selectedEdgeIds: string[];
  dialog: Dialog;
  pendingPlan: PendingPlan | null;
  /** The latest plan's explanation (shown in the inspector while its workflow is on the canvas). */
  planNote: PlanNote | null;
  toasts: Toast[];
  busy: { plan?: boolean; run?: boolean };
  /** Bumped to ask the canvas to fit the graph in view (after open, import, plan, layout). */
  fitRequest: number;
  /** Runs ticked in the history for comparison (at most two, oldest pick first). */
  compareRunIds: string[];
  /**
   * Node sizes as the canvas measured them, shared with auto layout so it spaces real
   * boxes. A new map per measuring pass that changed a size (React Flow measures in batches).
   */
  nodeSizes: ReadonlyMap<string, NodeSize>;
}

export interface NodeSize {
  width: number;
  height: number;
}

export interface UiActions {
  toggleTheme(): void;
  setPanelSize(panel: 'leftWidth' | 'rightWidth' | 'bottomHeight', px: number): void;
  setBottomOpen(open: boolean): void;
  setBottomTab(tab: BottomTab): void;
  select(nodeIds: string[], edgeIds?: string[]): void;
  openDialog(d: Dialog): void;
  setPendingPlan(p: PendingPlan | null): void;
  setPlanNote(note: PlanNote | null): void;
  notify(kind: Toast['kind'], text: string, details?: string[], key?: string): void;
  dismiss(id: number): void;
  /** The problem behind these messages is fixed: take them away. */
  resolve(key: string): void;
  setBusy(key: keyof UiState['busy'], on: boolean): void;
  requestFit(): void;
  /** Ticks or unticks a run for comparison; a third pick replaces the oldest. */
  toggleCompare(runId: string): void;
  /** Records measured sizes (one canvas measuring pass); sizes equal to the known ones change nothing. */
  setNodeSizes(sizes: Iterable<[id: string, size: NodeSize]>): void;
}

export type UiStore = ReturnType<typeof createUiStore>;

type Persisted = Pick<UiState, 'theme' | 'leftWidth' | 'rightWidth' | 'bottomHeight' | 'bottomOpen'>;
const STORAGE_KEY = 'awe.ui';
const LIMITS = { leftWidth: [200, 520], rightWidth: [260, 640], bottomHeight: [120, 600] } as const;

export function createUiStore(storage: Pick<Storage, 'getItem' | 'setItem'> | null = globalThis.localStorage ?? null, prefersDark = false) {
  let saved: Partial<Persisted> = {};
  try {
    saved = JSON.parse(storage?.getItem(STORAGE_KEY) ?? '{}') ?? {};
  } catch {}
  let toastId = 0;

  const store = createStore<UiState & UiActions>()((set, get) => ({
    theme: saved.theme ?? (prefersDark ? 'dark' : 'light'),
    leftWidth: saved.leftWidth ?? 248,
    rightWidth: saved.rightWidth ?? 320,
    bottomHeight: saved.bottomHeight ?? 220,
    bottomOpen: saved.bottomOpen ?? true,
    bottomTab: 'timeline',
    selectedNodeIds: [],
    selectedEdgeIds: [],
    dialog: null,
    pendingPlan: null,
    planNote: null,
    toasts: [],
    busy: {},
    fitRequest: 0,
    compareRunIds: [],
    nodeSizes: new Map(),

    toggleTheme: () => set({ theme: get().theme === 'dark' ? 'light' : 'dark' }),
    setPanelSize(panel, px) {
      const [min, max] = LIMITS[panel];
      set({ [panel]: Math.round(Math.min(max, Math.max(min, px))) } as Partial<UiState>);
    },
    setBottomOpen: (bottomOpen) => set({ bottomOpen }),
    setBottomTab: (bottomTab) => set({ bottomTab, bottomOpen: true }),
    select(nodeIds, edgeIds = []) {
      const s = get();
      if (same(s.selectedNodeIds, nodeIds) && same(s.selectedEdgeIds, edgeIds)) return;
      set({ selectedNodeIds: nodeIds, selectedEdgeIds: edgeIds });
    },
    openDialog: (dialog) => set({ dialog }),
    setPendingPlan: (pendingPlan) => set({ pendingPlan }),
    setPlanNote: (planNote) => set({ planNote }),
    notify(kind, text, details, key) {
      const id = ++toastId;
      const others = key === undefined ? get().toasts : get().toasts.filter((t) => t.key !== key);
      set({ toasts: [...others.slice(-3), { id, kind, text, details, ...(key === undefined ? {} : { key }) }] });
      if (kind === 'info') setTimeout(() => get().dismiss(id), INFO_TOAST_MS);
    },
    dismiss: (id) => set({ toasts: get().toasts.filter((t) => t.id !== id) }),
    resolve(key) {
      const toasts = get().toasts;
      if (toasts.some((t) => t.key === key)) set({ toasts: toasts.filter((t) => t.key !== key) });
    },
    setBusy: (key, on) => set({ busy: { ...get().busy, [key]: on } }),
    requestFit: () => set({ fitRequest: get().fitRequest + 1 }),
    toggleCompare(runId) {
      const cur = get().compareRunIds;
      set({ compareRunIds: cur.includes(runId) ? cur.filter((id) => id !== runId) : [...cur, runId].slice(-2) });
    },
    setNodeSizes(sizes) {
      let next: Map<string, NodeSize> | null = null;
      for (const [id, size] of sizes) {
        const known = (next ?? get().nodeSizes).get(id);
        if (known && known.width === size.width && known.height === size.height) continue;
        next ??= new Map(get().nodeSizes);
        next.set(id, { width: size.width, height: size.height });
      }
      if (next) set({ nodeSizes: next });
    },
  }));

  store.subscribe((s, prev) => {
    if (s.theme === prev.theme && s.leftWidth === prev.leftWidth && s.rightWidth === prev.rightWidth && s.bottomHeight === prev.bottomHeight && s.bottomOpen === prev.bottomOpen) return;
    const persisted: Persisted = { theme: s.theme, leftWidth: s.leftWidth, rightWidth: s.rightWidth, bottomHeight: s.bottomHeight, bottomOpen: s.bottomOpen };
    try {
      storage?.setItem(STORAGE_KEY, JSON.stringify(persisted));
    } catch {}
  });
  return store;
}

function same(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
