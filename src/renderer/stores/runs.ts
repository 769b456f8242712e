/**
 * Runs as the canvas shows them, fed by engine event batches.
 *
 * Each batch is one state update. The contract's `applyEvent` mutates a view in place, so
 * before applying we copy the view shell once per batch and each touched node once: the
 * nodes a batch did not touch keep their identity and their components do not re-render.
 * Time travel folds the run's events up to a chosen seq with the same `foldRun`.
 */
import { createStore } from 'zustand/vanilla';
import { applyEvent, copyNodeViews, emptyRunView, foldRun, type EngineEvent, type NodeView, type RunSummary, type RunView, type Workflow } from '../../contract';

export interface RunsState {
  views: Record<string, RunView>;
  /** Every event of each run, in seq order (for time travel and the timeline). */
  events: Record<string, EngineEvent[]>;
  /** The graph each run executes. */
  snapshots: Record<string, Workflow>;
  /** The run the canvas shows. */
  watchedRunId: string | null;
  /** Time travel: the seq being viewed, or null for live. */
  travelSeq: number | null;
  travelView: RunView | null;
  /** Run history, newest first. */
  history: RunSummary[];
}

/** A run whose events skipped ahead: fetch `runs.events` after `afterSeq`, then ingest. */
export interface Gap {
  runId: string;
  afterSeq: number;
}

export interface RunsActions {
  /** Applies one batch (any runs, any order of arrival); returns gaps to catch up. */
  ingest(events: readonly EngineEvent[]): Gap[];
  /** Shows a run's full record (from `runs.get`). */
  loadRun(runId: string, snapshot: Workflow, events: readonly EngineEvent[]): void;
  /** Starts watching a run that has just been started. */
  watch(runId: string | null, snapshot?: Workflow): void;
  travelTo(seq: number | null): void;
  setHistory(runs: RunSummary[]): void;
}

export type RunsStore = ReturnType<typeof createRunsStore>;

/** Which node ids an event will touch (so they can be copied before `applyEvent` mutates them). */
function touchedNodes(e: EngineEvent): readonly string[] {
  if (e.type === 'node.rerun') return [e.nodeId, ...e.nodes];
  return 'nodeId' in e ? [e.nodeId] : [];
}

function copyNode(n: NodeView): NodeView {
  return { ...n, logs: n.logs.slice(), usage: { ...n.usage } };
}

export function createRunsStore() {
  /** Events that arrived past a gap wait here until the gap is filled. */
  const held = new Map<string, EngineEvent[]>();

  return createStore<RunsState & RunsActions>()((set, get) => ({
    views: {},
    events: {},
    snapshots: {},
    watchedRunId: null,
    travelSeq: null,
    travelView: null,
    history: [],

    ingest(batch) {
      if (!batch.length) return [];
      const s = get();
      const views = { ...s.views };
      const events = { ...s.events };
      const copied = new Map<string, { view: RunView; nodes: Set<string>; log: EngineEvent[] }>();
      const gaps: Gap[] = [];

      const work = (runId: string) => {
        let w = copied.get(runId);
        if (!w) {
          const old = views[runId] ?? emptyRunView(runId, '', s.snapshots[runId]?.nodes.map((n) => n.id) ?? []);
          const view: RunView = {
            ...old,
            nodes: copyNodeViews(old.nodes),
            deadLetters: old.deadLetters.slice(),
            artifacts: old.artifacts.slice(),
            usage: { ...old.usage },
          };
          w = { view, nodes: new Set(), log: (events[runId] ?? []).slice() };
          copied.set(runId, w);
          views[runId] = view;
          events[runId] = w.log;
        }
        return w;
      };

      const byRun = new Map<string, EngineEvent[]>();
      for (const e of batch) {
        const list = byRun.get(e.runId) ?? [];
        list.push(e);
        byRun.set(e.runId, list);
      }
      for (const [runId, list] of byRun) {
        const waiting = held.get(runId) ?? [];
        held.delete(runId);
        const ordered = [...waiting, ...list].sort((a, b) => a.seq - b.seq);
        const w = work(runId);
        for (let i = 0; i < ordered.length; i++) {
          const e = ordered[i];
          if (e.seq <= w.view.lastSeq) continue; // a replay after reconnect
          if (e.seq > w.view.lastSeq + 1) {
            held.set(runId, ordered.slice(i).filter((x) => x.seq > w.view.lastSeq));
            gaps.push({ runId, afterSeq: w.view.lastSeq });
            break;
          }
          for (const id of touchedNodes(e)) {
            if (w.nodes.has(id)) continue;
            w.nodes.add(id);
            const n = w.view.nodes[id];
            if (n) w.view.nodes[id] = copyNode(n);
          }
          applyEvent(w.view, e);
          w.log.push(e);
        }
      }
      // While scrubbing, the travel view stays where the person put it; live state keeps moving underneath.
      set({ views, events, history: mergeHistory(s.history, copied) });
      return gaps;
    },

    loadRun(runId, snapshot, evs) {
      const sorted = [...evs].sort((a, b) => a.seq - b.seq);
      const view = foldRun(runId, sorted, Infinity, snapshot.nodes.map((n) => n.id));
      held.delete(runId);
      set((s) => ({
        views: { ...s.views, [runId]: view },
        events: { ...s.events, [runId]: sorted },
        snapshots: { ...s.snapshots, [runId]: snapshot },
        watchedRunId: runId,
        travelSeq: null,
        travelView: null,
      }));
    },

    watch(runId, snapshot) {
      set((s) => ({
        watchedRunId: runId,
        travelSeq: null,
        travelView: null,
        snapshots: runId && snapshot ? { ...s.snapshots, [runId]: snapshot } : s.snapshots,
      }));
    },

    travelTo(seq) {
      const s = get();
      const runId = s.watchedRunId;
      if (!runId || seq === null || seq >= (s.views[runId]?.lastSeq ?? 0)) {
        set({ travelSeq: null, travelView: null });
        return;
      }
      const nodeIds = s.snapshots[runId]?.nodes.map((n) => n.id) ?? [];
      set({ travelSeq: seq, travelView: foldRun(runId, s.events[runId] ?? [], seq, nodeIds) });
    },

    setHistory(runs) {
      set({ history: runs });
    },
  }));
}

/** Keeps run history statuses current as events arrive, without refetching the list. */
function mergeHistory(history: RunSummary[], touched: Map<string, { view: RunView }>): RunSummary[] {
  let changed = false;
  const next = history.map((r) => {
    const v = touched.get(r.runId)?.view;
    if (!v || (v.status === r.status && (v.finishedAt ?? null) === r.finishedAt && v.retries === r.retries && v.usage.costUsd === r.costUsd)) return r;
    changed = true;
    return { ...r, status: v.status, finishedAt: v.finishedAt ?? null, retries: v.retries, costUsd: v.usage.costUsd };
  });
  return changed ? next : history;
}

/** The view the canvas shows: the time-travel view if scrubbing, else the watched run live. */
export function shownView(s: RunsState): RunView | null {
  if (s.travelView) return s.travelView;
  return s.watchedRunId ? (s.views[s.watchedRunId] ?? null) : null;
}

/** Executions of one node, derived from the event log: start, end, outcome, error. */
export interface AttemptRecord {
  generation: number;
  attempt: number;
  startedAt: number;
  finishedAt?: number;
  status: string;
  error?: string;
  cached?: boolean;
}

export function attemptsOf(events: readonly EngineEvent[], nodeId: string, uptoSeq = Infinity): AttemptRecord[] {
  const out: AttemptRecord[] = [];
  let open: AttemptRecord | undefined;
  for (const e of events) {
    if (e.seq > uptoSeq) break;
    if (e.type === 'node.output' && e.nodeId === nodeId && e.cached) {
      out.push({ generation: e.generation, attempt: 0, startedAt: e.ts, finishedAt: e.ts, status: 'succeeded', cached: true });
    }
    if (e.type !== 'node.status' || e.nodeId !== nodeId) continue;
    if (e.status === 'running') {
      if (open && open.status === 'waiting') {
        open.status = 'running';
        continue;
      }
      open = { generation: e.generation, attempt: e.attempt, startedAt: e.ts, status: 'running' };
      out.push(open);
    } else if (open) {
      if (e.status === 'waiting') {
        open.status = 'waiting';
        continue;
      }
      open.status = e.status;
      open.finishedAt = e.ts;
      open.error = e.error?.message;
      open = undefined;
    }
  }
  return out;
}
