/**
 * Runs as the canvas shows them, fed by engine event batches.
 *
 * Each batch is one state update. The contract's `applyEvent` mutates a view in place, so
 * before applying we copy the view shell once per batch and each touched node once: the
 * nodes a batch did not touch keep their identity and their components do not re-render.
 * The event history is an append-only chunked log (a batch costs O(batch), not O(run)),
 * and what panels derive per node (attempts, the nodes waiting on a person) is updated
 * from the batch's events alone. Time travel folds the run's events up to a chosen seq
 * with the same `foldRun` and attempt step.
 */
import { createStore } from 'zustand/vanilla';
import { applyEvent, copyNodeViews, emptyRunView, foldRun, type EngineEvent, type NodeView, type RunSummary, type RunView, type Workflow } from '../../contract';
import { affectsAttempts, allAttemptsOf, stepAttempts, type NodeAttempts } from './attempts';
import { EventLog } from './event-log';

export { attemptsOf, type AttemptRecord } from './attempts';
export { EventLog } from './event-log';

/**
 * A run's attempts by node. The index is updated in place as events arrive while each
 * node's value is replaced when it changes: read one node through a selector
 * (`useNodeAttempts`), which then re-renders only when that node's attempts change.
 */
export type AttemptIndex = Map<string, NodeAttempts>;

export interface RunsState {
  views: Record<string, RunView>;
  /** Every event of each run, in seq order (for time travel and the timeline); a new log object per batch. */
  events: Record<string, EventLog>;
  /** Each run's attempts by node, kept current as events arrive. */
  attempts: Record<string, AttemptIndex>;
  /** Attempts as of the time-travel seq, or null for live. */
  travelAttempts: AttemptIndex | null;
  /** How many nodes each run has, and how many ended, kept from the nodes each batch touched. */
  tallies: Record<string, NodeTally>;
  /** The tally of the time-travel view, or null for live. */
  travelTally: NodeTally | null;
  /** Nodes of each run that wait for a person's approval, in the order they asked; a new array only when that set changes. */
  waiting: Record<string, readonly string[]>;
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

/**
 * A run's node counts for its header and scorecard. Recounting 2,000 nodes per batch in
 * their selectors showed up in every frame of a large live run; the store keeps the
 * counts instead, from each batch's touched nodes.
 */
export interface NodeTally {
  total: number;
  /** Nodes that ended: succeeded, failed, skipped or cancelled. */
  done: number;
  /** Nodes with a finish time. */
  finished: number;
}

const ENDED: ReadonlySet<string> = new Set(['succeeded', 'failed', 'skipped', 'cancelled']);

/** Adds (`sign` 1) or takes away (-1) one node's share of a tally. */
function count(t: NodeTally, n: NodeView, sign: 1 | -1) {
  t.total += sign;
  if (ENDED.has(n.status)) t.done += sign;
  if (n.finishedAt) t.finished += sign;
}

/** The tally of every node, counted afresh. */
export function tallyNodes(nodes: Record<string, NodeView>): NodeTally {
  const t = { total: 0, done: 0, finished: 0 };
  for (const id in nodes) count(t, nodes[id], 1);
  return t;
}

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
    attempts: {},
    travelAttempts: null,
    tallies: {},
    travelTally: null,
    waiting: {},
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
      const attempts = { ...s.attempts };
      const tallies = { ...s.tallies };
      let waiting = s.waiting;
      const copied = new Map<
        string,
        // before: each touched node as it was (undefined if new); recount: an event (run.started) added nodes no event names.
        { view: RunView; nodes: Set<string>; before: Map<string, NodeView | undefined>; recount: boolean; added: EngineEvent[]; attempts: AttemptIndex }
      >();
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
          w = { view, nodes: new Set(), before: new Map(), recount: !tallies[runId], added: [], attempts: attempts[runId] ?? new Map() };
          copied.set(runId, w);
          views[runId] = view;
          attempts[runId] = w.attempts;
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
        const heldBack = held.get(runId) ?? [];
        held.delete(runId);
        const ordered = [...heldBack, ...list].sort((a, b) => a.seq - b.seq);
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
            w.before.set(id, n);
            if (n) w.view.nodes[id] = copyNode(n);
          }
          if (e.type === 'run.started') w.recount = true;
          applyEvent(w.view, e);
          if (affectsAttempts(e)) w.attempts.set(e.nodeId, stepAttempts(w.attempts.get(e.nodeId), e));
          w.added.push(e);
        }
        events[runId] = (events[runId] ?? EventLog.empty).append(w.added);
        tallies[runId] = w.recount ? tallyNodes(w.view.nodes) : retally(tallies[runId], w.before, w.view.nodes);
        const nextWaiting = updateWaiting(waiting[runId] ?? NOBODY, w.view, w.nodes);
        if (nextWaiting !== (waiting[runId] ?? NOBODY)) waiting = { ...waiting, [runId]: nextWaiting };
      }
      // While scrubbing, the travel view stays where the person put it; live state keeps moving underneath.
      set({ views, events, attempts, tallies, waiting, history: mergeHistory(s.history, copied) });
      return gaps;
    },

    loadRun(runId, snapshot, evs) {
      const sorted = [...evs].sort((a, b) => a.seq - b.seq);
      const view = foldRun(runId, sorted, Infinity, snapshot.nodes.map((n) => n.id));
      held.delete(runId);
      set((s) => ({
        views: { ...s.views, [runId]: view },
        events: { ...s.events, [runId]: EventLog.from(sorted) },
        attempts: { ...s.attempts, [runId]: allAttemptsOf(sorted) },
        tallies: { ...s.tallies, [runId]: tallyNodes(view.nodes) },
        waiting: { ...s.waiting, [runId]: updateWaiting(NOBODY, view, Object.keys(view.nodes)) },
        snapshots: { ...s.snapshots, [runId]: snapshot },
        watchedRunId: runId,
        travelSeq: null,
        travelView: null,
        travelAttempts: null,
        travelTally: null,
      }));
    },

    watch(runId, snapshot) {
      set((s) => ({
        watchedRunId: runId,
        travelSeq: null,
        travelView: null,
        travelAttempts: null,
        travelTally: null,
        snapshots: runId && snapshot ? { ...s.snapshots, [runId]: snapshot } : s.snapshots,
      }));
    },

    travelTo(seq) {
      const s = get();
      const runId = s.watchedRunId;
      if (!runId || seq === null || seq >= (s.views[runId]?.lastSeq ?? 0)) {
        set({ travelSeq: null, travelView: null, travelAttempts: null, travelTally: null });
        return;
      }
      const nodeIds = s.snapshots[runId]?.nodes.map((n) => n.id) ?? [];
      const log = s.events[runId] ?? EventLog.empty;
      const upto = log.slice(0, log.countUpTo(seq));
      const travelView = foldRun(runId, upto, seq, nodeIds);
      set({ travelSeq: seq, travelView, travelAttempts: allAttemptsOf(upto, seq), travelTally: tallyNodes(travelView.nodes) });
    },

    setHistory(runs) {
      set({ history: runs });
    },
  }));
}

/** `prev` after a batch: the touched nodes' shares taken away as they were and added as they are. */
function retally(prev: NodeTally, before: Map<string, NodeView | undefined>, nodes: Record<string, NodeView>): NodeTally {
  const t = { ...prev };
  for (const [id, was] of before) {
    if (was) count(t, was, -1);
    const now = nodes[id];
    if (now) count(t, now, 1);
  }
  return t;
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

/** The node counts of the shown run (live, or as of the time-travel seq). */
export function shownTally(s: RunsState): NodeTally | null {
  if (s.travelView) return s.travelTally;
  return s.watchedRunId ? (s.tallies[s.watchedRunId] ?? null) : null;
}

/** A node's attempts in the shown run (live, or as of the time-travel seq). */
export function shownAttempts(s: RunsState, nodeId: string): NodeAttempts | undefined {
  if (s.travelAttempts) return s.travelAttempts.get(nodeId);
  return s.watchedRunId ? s.attempts[s.watchedRunId]?.get(nodeId) : undefined;
}

const NOBODY: readonly string[] = [];

const waitsForPerson = (n: NodeView | undefined) => !!n && n.status === 'waiting' && !!n.approval;

/**
 * The nodes waiting on a person after a batch, looking only at the nodes it touched. A new
 * array when a node joined or left the set or a waiting node changed (its request may be a
 * new one); the same array otherwise, so the approval dialog is not re-derived per frame.
 */
function updateWaiting(prev: readonly string[], view: RunView, touched: Iterable<string>): readonly string[] {
  let next: string[] | null = null;
  for (const id of touched) {
    const was = prev.includes(id);
    const is = waitsForPerson(view.nodes[id]);
    if (!was && !is) continue;
    next ??= prev.slice();
    if (was && !is) next.splice(next.indexOf(id), 1);
    if (!was && is) next.push(id);
  }
  return next ?? prev;
}
