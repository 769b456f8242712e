/**
 * The scheduler: runs one run's DAG. Its state is a RunView changed ONLY by applying
 * the events it emits (`applyEvent`), so live state, history and replay agree.
 *
 * It decides *what* is ready (indegree counters in `Frontier`, no rescans) and runs it
 * under the run's concurrency and the global limiter; `NodeRunner` (node-runner.ts)
 * executes one node: templates, tool calls with deadlines, retries, cache, critic.
 * The talk goes one way: the scheduler builds the run's `RunContext` (run-context.ts:
 * the view, definitions, cancellation, the person desk and the policy gate) and hands
 * it to the runner, which never calls back.
 */
import {
  changedFields,
  emptyRunView,
  runnableDefinition,
  sameDefinition,
  foldRun,
  TERMINAL_NODE_STATUSES,
  TERMINAL_RUN_STATUSES,
  type EngineEvent,
  type EngineEventBody,
  type RerunMode,
  type RunReason,
  type RunView,
  type Workflow,
  type WorkflowNode,
} from '../../contract';
import { ToolError } from '../errors';
import { Frontier, LIVE, type EdgeState } from './frontier';
import { buildGraph, descendants, type Graph } from '../../shared/graph';
import { branchesFrom } from '../../shared/kinds';
import { mustYield } from './loop-yield';
import { NodeRunner } from './node-runner';
import { PersonDesk } from './person-desk';
import { PolicyGate } from './policy';
import { RunContext, type ExecutionDeps, type RunSpec } from './run-context';
import type { Edge } from '../../contract';


const TERMINAL = new Set(TERMINAL_NODE_STATUSES);
const CANCELLED = () => new ToolError('cancelled', 'CANCELLED', 'the run was cancelled');

export class RunExecution {
  private readonly state: RunView;
  private readonly graph: Graph;
  private readonly run: RunContext;
  private readonly runner: NodeRunner;
  private frontier: Frontier | undefined;
  /** Why a node runs when it is not the drive's own reason (a resume's interrupted or stale nodes). */
  private readonly reasons = new Map<string, RunReason>();
  /** Why the current drive runs its other nodes. */
  private driveReason: RunReason = 'first';
  private ready: string[] = [];
  private readyHead = 0;
  private inFlight = 0;
  /** A pump is queued behind the event loop's check phase (see loop-yield.ts). */
  private yielding = false;
  private driving: Promise<RunView> | undefined;
  private settle: ((view: RunView) => void) | undefined;

  constructor(
    private readonly spec: RunSpec,
    private readonly deps: ExecutionDeps,
    prior?: EngineEvent[],
  ) {
    const ids = spec.workflow.nodes.map((n) => n.id);
    this.state = prior?.length ? foldRun(spec.runId, prior, Infinity, ids) : emptyRunView(spec.runId, spec.workflow.id, ids);
    this.graph = spec.graph ?? buildGraph(spec.workflow);
    const decisions = prior ? PolicyGate.decisionsFrom(prior) : undefined;
    this.run = new RunContext(
      spec,
      deps,
      this.state,
      (run) => {
        const desk = new PersonDesk(run);
        return { desk, policy: new PolicyGate({ isAllowed: (name) => deps.isAllowed(name), interactive: deps.interactive, desk }, decisions) };
      },
      prior,
    );
    this.runner = new NodeRunner(this.run);
  }

  private get cancelled(): boolean {
    return this.run.cancelled;
  }

  /** The snapshot this run executes. */
  get workflow(): Workflow {
    return this.spec.workflow;
  }

  /** The run's folded state (updated in place as events are emitted). */
  get view(): RunView {
    return this.state;
  }

  /** Runs a new run: emits `run.started` … `run.finished`. */
  start(): Promise<RunView> {
    if (this.state.lastSeq > 0 || this.driving) throw new Error(`run ${this.spec.runId} has already started`);
    // The inputs were typed once, before the run was stored (engine.startRun): recorded as they are.
    this.emit({ type: 'run.started', workflowId: this.spec.workflow.id, inputs: this.spec.inputs, nodeIds: this.graph.ids });
    if (this.graph.cycle) {
      this.emit({ type: 'run.finished', status: 'failed', error: `the workflow has a cycle: ${this.graph.cycle.join(' → ')}` });
      return Promise.resolve(this.state);
    }
    return this.drive(new Set(this.graph.ids), 'first');
  }

  /** After a crash: unfinished nodes become `interrupted` and run again; succeeded nodes never re-execute. */
  resume(): Promise<RunView> {
    if (this.driving) return this.driving;
    if (this.state.lastSeq === 0) return this.start();
    if (TERMINAL_RUN_STATUSES.includes(this.state.status)) return Promise.resolve(this.state);
    const members = new Set<string>();
    for (const id of this.graph.ids) {
      const n = this.state.nodes[id];
      if (TERMINAL.has(n.status)) continue;
      members.add(id);
      if (n.status === 'pending') continue;
      if (n.status === 'stale') {
        this.reasons.set(id, 'rerun');
        continue;
      }
      if (n.status !== 'interrupted') {
        this.emit({ type: 'node.status', nodeId: id, status: 'interrupted', generation: n.generation, attempt: 0, detail: 'the process stopped while this node was unfinished' });
      }
      this.reasons.set(id, 'resume');
    }
    this.emit({ type: 'run.status', status: 'running', reason: 'resume' });
    return this.drive(members, 'first');
  }

  /**
   * Reruns a node of a finished run: `only` it, or it and everything `downstream`.
   * `definitions` (the person's edited nodes) replace the rerun nodes' definitions for
   * this and later executions; nodes outside the rerun keep theirs.
   */
  rerun(nodeId: string, mode: RerunMode = 'downstream', inputs?: Record<string, unknown>, definitions: readonly WorkflowNode[] = []): Promise<RunView> {
    this.assertRerunnable();
    if (!this.graph.parents.has(nodeId)) throw new Error(`run ${this.spec.runId} has no node "${nodeId}"`);
    const members = this.markRerun(nodeId, mode, inputs, undefined, definitions);
    return this.drive(members, 'rerun');
  }

  /** Reruns every dead letter with its downstream nodes. */
  retryFailed(definitions: readonly WorkflowNode[] = []): Promise<RunView> {
    this.assertRerunnable();
    const failed = [...this.state.deadLetters];
    if (failed.length === 0) return Promise.resolve(this.state);
    const members = new Set<string>();
    for (const id of failed) for (const m of this.markRerun(id, 'downstream', undefined, members, definitions)) members.add(m);
    return this.drive(members, 'rerun');
  }

  /** Aborts running tools through their signal; nothing new starts; the run ends `cancelled`. */
  cancel(): void {
    if (this.cancelled) return;
    if (!this.driving) {
      // A run left unfinished by a crash (or another process) is cancelled without running anything.
      if (this.state.lastSeq > 0 && !TERMINAL_RUN_STATUSES.includes(this.state.status)) {
        this.run.cancel(CANCELLED());
        this.settle = () => undefined;
        this.finishRun();
      }
      return;
    }
    this.run.cancel(CANCELLED());
    this.runner.abortAll(this.run.signal.reason);
    this.pump();
  }

  private assertRerunnable(): void {
    if (this.driving || !TERMINAL_RUN_STATUSES.includes(this.state.status) || this.state.lastSeq === 0) {
      throw new Error(`run ${this.spec.runId} is ${this.state.status}; a node can be rerun once the run has finished`);
    }
  }

  /** Emits the rerun and marks its nodes stale with a new generation; returns them. */
  private markRerun(nodeId: string, mode: RerunMode, inputs: Record<string, unknown> | undefined, already = new Set<string>(), definitions: readonly WorkflowNode[] = []): Set<string> {
    const wanted = mode === 'only' ? new Set([nodeId]) : new Set([nodeId, ...descendants(this.graph, nodeId)]);
    const nodes = this.graph.order.filter((id) => wanted.has(id));
    // Definitions first: a replayed log then applies an edit before any input override of the same rerun.
    for (const edited of definitions) {
      if (!wanted.has(edited.id)) continue;
      const current = this.run.definitionOf(edited.id);
      if (!current || sameDefinition(current, edited)) continue;
      const node = runnableDefinition(edited);
      this.emit({ type: 'node.definition', nodeId: edited.id, node, changed: changedFields(current, node) });
      this.run.setDefinition(node);
    }
    this.emit({ type: 'node.rerun', nodeId, mode, nodes, editedInputs: inputs !== undefined, ...(inputs ? { inputs } : {}) });
    if (inputs) this.run.setInputOverride(nodeId, inputs);
    for (const id of nodes) {
      if (already.has(id)) continue;
      const generation = this.state.nodes[id].generation + 1;
      this.emit({ type: 'node.status', nodeId: id, status: 'stale', generation, attempt: 0, detail: `rerun of "${nodeId}"` });
    }
    return wanted;
  }

  private drive(members: Set<string>, defaultReason: RunReason): Promise<RunView> {
    this.run.renewAfterCancel();
    this.ready = [];
    this.readyHead = 0;
    const frontier = new Frontier(this.graph, members);
    this.frontier = frontier;
    // Kept in a local: with nothing to run, pump() finishes the run synchronously and clears `this.driving`.
    const driving = new Promise<RunView>((resolve) => (this.settle = resolve));
    this.driving = driving;
    const failedRoots = this.failedRootsOutside(members);
    this.driveReason = defaultReason;
    this.decideAll(frontier.init((edge) => this.edgeState(edge, failedRoots)));
    this.pump();
    return driving;
  }

  /** Decides nodes whose in-edges are all resolved; skips cascade without recursion. */
  private decideAll(ids: string[]): void {
    const frontier = this.frontier!;
    // FIFO: nodes are queued in document order, which people expect when concurrency is small.
    const work = ids;
    for (let i = 0; i < work.length; i++) {
      const id = work[i];
      const decision = frontier.decide(id);
      const n = this.state.nodes[id];
      if (decision.run) {
        this.emit({ type: 'node.status', nodeId: id, status: 'queued', generation: n.generation, attempt: 0, reason: this.reasons.get(id) ?? this.driveReason });
        this.ready.push(id);
        continue;
      }
      this.emit({ type: 'node.status', nodeId: id, status: 'skipped', generation: n.generation, attempt: 0, detail: decision.detail });
      const state: EdgeState = { live: false, detail: `upstream node "${id}" was skipped`, failedRoot: decision.failedRoot };
      for (const edge of this.graph.outEdges.get(id)!) {
        const next = frontier.resolve(edge, state);
        if (next !== undefined) work.push(next);
      }
    }
  }

  private pump(): void {
    const signal = this.run.signal;
    while (!this.yielding && !this.cancelled && this.inFlight < this.spec.concurrency && this.readyHead < this.ready.length) {
      if (mustYield()) {
        // Let the event log write and deliver what is queued before starting more.
        this.yielding = true;
        setImmediate(this.resumePump);
        return;
      }
      const id = this.ready[this.readyHead++];
      this.inFlight++;
      const limiter = this.deps.globalLimiter;
      if (limiter.tryAcquire()) this.launch(id);
      else limiter.acquire(signal).then(() => this.launch(id), () => this.finished(id));
    }
    if (this.inFlight === 0 && (this.cancelled || this.readyHead >= this.ready.length)) this.finishRun();
  }

  /** Runs a node holding a global slot. */
  private launch(id: string): void {
    const reason = this.reasons.get(id) ?? this.driveReason;
    if (this.reasons.size) this.reasons.delete(id);
    // `execute` never rejects. Settling in a later microtask keeps long chains of
    // instant nodes off the stack. Inline arrows: a build that keeps function names
    // (tsx, esbuild keepNames) names an arrow held in a variable, per node.
    this.runner.execute(id, reason).then(
      () => this.settled(id),
      () => this.settled(id),
    );
  }

  private settled(id: string): void {
    this.deps.globalLimiter.release();
    this.finished(id);
  }

  private readonly resumePump = (): void => {
    this.yielding = false;
    this.pump();
  };

  private finished(id: string): void {
    this.inFlight--;
    const status = this.state.nodes[id].status;
    if (!this.cancelled && (status === 'succeeded' || status === 'failed')) {
      const frontier = this.frontier!;
      const next: string[] = [];
      for (const edge of this.graph.outEdges.get(id)!) {
        const target = frontier.resolve(edge, this.edgeState(edge));
        if (target !== undefined) next.push(target);
      }
      this.decideAll(next);
    }
    this.pump();
  }

  private edgeState(edge: Edge, failedRoots?: Map<string, string>): EdgeState {
    const src = this.state.nodes[edge.source];
    switch (src.status) {
      case 'succeeded': {
        if (edge.branch === undefined || !branchesFrom(this.run.definitionOf(edge.source)?.kind)) return LIVE;
        const result = Boolean((src.output as { result?: unknown } | undefined)?.result);
        if (edge.branch === String(result)) return LIVE;
        return { live: false, detail: `branch "${edge.branch}" of condition "${edge.source}" was not taken` };
      }
      case 'failed':
        return { live: false, detail: `upstream node "${edge.source}" failed`, failedRoot: edge.source };
      case 'skipped': {
        const root = failedRoots?.get(edge.source);
        return { live: false, detail: `upstream node "${edge.source}" was skipped`, failedRoot: root };
      }
      default:
        return { live: false, detail: `upstream node "${edge.source}" is ${src.status}` };
    }
  }

  /** Which skipped nodes outside a rerun were skipped because of a failure (and which one). */
  private failedRootsOutside(members: Set<string>): Map<string, string> {
    const roots = new Map<string, string>();
    if (members.size === this.graph.ids.length) return roots; // every node runs: none is outside
    for (const id of this.graph.order) {
      if (members.has(id)) continue;
      const status = this.state.nodes[id].status;
      if (status === 'failed') roots.set(id, id);
      else if (status === 'skipped') {
        const parent = this.graph.parents.get(id)!.find((p) => roots.has(p));
        if (parent !== undefined) roots.set(id, roots.get(parent)!);
      }
    }
    return roots;
  }

  private finishRun(): void {
    const settle = this.settle;
    if (!settle) return;
    this.settle = undefined;
    this.frontier = undefined;
    this.reasons.clear();
    let status: 'succeeded' | 'failed' | 'cancelled';
    let error: string | undefined;
    if (this.cancelled) {
      status = 'cancelled';
      for (const id of this.graph.ids) {
        const n = this.state.nodes[id];
        if (!TERMINAL.has(n.status)) {
          this.emit({ type: 'node.status', nodeId: id, status: 'cancelled', generation: n.generation, attempt: 0, detail: 'the run was cancelled' });
        }
      }
    } else {
      status = this.state.deadLetters.length ? 'failed' : 'succeeded';
      if (status === 'failed') error = `${this.state.deadLetters.length} node(s) failed: ${this.state.deadLetters.slice(0, 10).join(', ')}`;
    }
    this.emit({ type: 'run.finished', status, ...(error ? { error } : {}) });
    this.driving = undefined;
    settle(this.state);
  }

  private emit(body: EngineEventBody): EngineEvent {
    return this.run.emit(body);
  }
}
