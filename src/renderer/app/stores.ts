/**
 * The app's store instances and their narrow-selector hooks. Components import hooks from
 * here; tests build their own stores with the factories.
 */
import { useStore } from 'zustand';
import type { NodeView } from '../../contract';
import { createGraphStore, type GraphActions, type GraphState } from '../stores/graph';
import { createRunsStore, shownView, type RunsActions, type RunsState } from '../stores/runs';
import { createSessionStore, type SessionActions, type SessionState } from '../stores/session';
import { createUiStore, type UiActions, type UiState } from '../stores/ui';

export const graphStore = createGraphStore();
export const runsStore = createRunsStore();
export const sessionStore = createSessionStore();
export const uiStore = createUiStore(
  typeof localStorage === 'undefined' ? null : localStorage,
  typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches,
);

export const useGraph = <T,>(selector: (s: GraphState & GraphActions) => T): T => useStore(graphStore, selector);
export const useRuns = <T,>(selector: (s: RunsState & RunsActions) => T): T => useStore(runsStore, selector);
export const useUi = <T,>(selector: (s: UiState & UiActions) => T): T => useStore(uiStore, selector);
export const useSession = <T,>(selector: (s: SessionState & SessionActions) => T): T => useStore(sessionStore, selector);

/** One node's state in the shown run (live or time travel); re-renders only when that node changes. */
export const useNodeView = (nodeId: string): NodeView | undefined => useRuns((s) => shownView(s)?.nodes[nodeId]);
export const useShownView = () => useRuns(shownView);
