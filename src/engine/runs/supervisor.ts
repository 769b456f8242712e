/**
 * Owns the runs this process executes: starts them, hands each a RunExecution wired to
 * the store, holds each run's lease (run-lease.ts) while executing it and takes over runs
 * whose lease lapsed, answers approvals (in-process, or written by another process and
 * picked up by polling) and honours cancel requests made by other processes (`awe cancel`).
 * The scheduler only emits events; this persists them.
 */
import { emptyRunView, foldRun, TERMINAL_RUN_STATUSES, type EngineEvent, type RerunMode, type RunView, type Workflow, type WorkflowNode } from '../../contract';
import type { ArtifactFiles } from './artifacts';
import type { EventLog } from './event-log';
import { RunLease, type LeaseHolder, type LeaseTiming, type LeaseWait } from './lease';
import { RunExecution } from '../execution/scheduler';
import type { ExecutionDeps, RunSpec } from '../execution/run-context';
import type { NewRun, RunRecord, Store } from '../store/store';
import type { RunHandle } from '../types';
import { stderrLogger, type EngineLogger } from '../observe/logger';
import { conflict, isConflict } from '../errors';

/** How often waiting approvals and cross-process cancel requests are checked. */
export const POLL_MS = 500;

/** What every execution shares; per-run parts (emit, artifacts, approvals) are added here. */
export type SharedDeps = Omit<ExecutionDeps, 'emit' | 'artifactsFor' | 'approvals' | 'isAllowed'> & {
  isAllowed(toolName: string, runAllow: readonly string[], workflowAllow: readonly string[]): boolean;
  /** The workflow's allowTools as far as a person approved the request (never the file's say-so). */
  workflowAllow(workflow: RunSpec['workflow']): readonly string[];
};

interface ApprovalWaiter {
  runId: string;
  nodeId: string;
  resolve(answer: { approved: boolean; comment?: string }): void;
}

export class RunSupervisor {
  private readonly active = new Map<string, RunExecution>();
  private readonly finishWaiters = new Map<string, ((view: RunView) => void)[]>();
  private readonly approvalWaiters = new Set<ApprovalWaiter>();
  private pollTimer: NodeJS.Timeout | undefined;
  readonly lease: RunLease;
  /** Runs whose lease another process took while this one still executed them: their events are dropped. */
  private readonly lost = new Set<string>();
  /** What each execution that lost its lease answers its callers with (see leaseLost). */
  private readonly handedOver = new WeakMap<RunExecution, RunView>();

  constructor(
    private readonly store: Store,
    private readonly log: EventLog,
    private readonly artifacts: ArtifactFiles,
    private readonly shared: () => SharedDeps,
    leaseTiming: Partial<LeaseTiming> = {},
    private readonly logger: EngineLogger = stderrLogger,
  ) {
    this.lease = new RunLease(store.db, leaseTiming, (runId) => this.leaseLost(runId), Date.now, logger);
  }

  /** Creates the run's row holding its lease (one transaction: no other process can adopt it in between) and starts it. */
  start(run: NewRun, spec: RunSpec, allow: readonly string[]): RunHandle {
    this.store.db.transaction(() => {
      this.store.createRun(run);
      this.lease.acquire(run.id);
    })();
    const execution = this.execution(spec, allow);
    return this.handle(spec.runId, execution, () => execution.start());
  }

  /** Whether the run's owner (this process or another) is executing it now. */
  ownerAlive(record: RunRecord): boolean {
    return this.active.has(record.run.id) || this.lease.heldElsewhere(record.run.id) !== undefined;
  }

  /** Waits while another process holds the run's lease: until it lapses (its owner died) or is renewed (alive). */
  awaitOwner(runId: string, signal?: AbortSignal): Promise<LeaseWait> {
    return this.active.has(runId) ? Promise.resolve('free') : this.lease.awaitHolder(runId, signal);
  }

  /** The live holder of a run this process does not execute, for messages. */
  holder(runId: string): LeaseHolder | undefined {
    return this.active.has(runId) ? undefined : this.lease.heldElsewhere(runId);
  }

  /** The live view of a run this process executes now; undefined for any other run. */
  view(runId: string): RunView | undefined {
    return this.active.get(runId)?.view;
  }

  /** The snapshot of a run this process executes now; undefined for any other run. */
  workflow(runId: string): Workflow | undefined {
    return this.active.get(runId)?.workflow;
  }

  /** Takes over a stored run (dead owner) and runs `action` on a fresh execution built from its events. */
  takeOver(record: RunRecord, action: (execution: RunExecution) => Promise<RunView>): RunHandle {
    const runId = record.run.id;
    const current = this.active.get(runId);
    if (current) return this.handle(runId, current, () => action(current));
    const claim = this.lease.takeOver(runId);
    if (!claim.ok) {
      const who = claim.holder.pid === null ? 'another AWE process' : `another AWE process (pid ${claim.holder.pid})`;
      const message = `run ${runId} is being executed by ${who}; if that process died, it can be taken over when its lease lapses in ${(claim.lapsesInMs / 1000).toFixed(1)} s`;
      throw conflict(message);
    }
    this.lost.delete(runId);
    this.log.forget(runId);
    const prior = this.store.events(runId);
    const spec: RunSpec = {
      runId,
      workflow: record.run.snapshot,
      inputs: record.run.inputs,
      concurrency: record.concurrency ?? record.run.snapshot.settings.concurrency ?? 8,
      workspaceDir: record.workspaceDir,
    };
    const execution = this.execution(spec, record.allow, prior);
    return this.handle(runId, execution, () => action(execution));
  }

  /**
   * Resumes a stored run. A run that cannot be resumed (its record or events unreadable,
   * its execution throwing) is finished as failed with the reason instead of throwing:
   * start-up and `awe resume` then carry on with the other runs.
   */
  resume(record: RunRecord): RunHandle {
    const runId = record.run.id;
    let handle: RunHandle;
    try {
      handle = this.takeOver(record, (x) => x.resume());
    } catch (err) {
      if (isConflict(err)) throw err;
      return this.failResume(runId, err);
    }
    const done = handle.done.catch((err: unknown) => {
      // A run that ended on its own (cancelled, finished) keeps its outcome; one left unfinished is failed.
      if (!this.store.unfinishedRunIds().includes(runId)) throw err;
      return this.failResume(runId, err).done;
    });
    return { runId, done };
  }

  /** Finishes a run that could not be resumed as failed, with the reason, and answers with its view. */
  failResume(runId: string, err: unknown): RunHandle {
    this.active.delete(runId);
    const reason = `could not be resumed: ${err instanceof Error ? err.message : String(err)}`;
    this.logger.error(`run ${runId} ${reason}`);
    this.log.forget(runId);
    this.log.emit(runId, { type: 'run.finished', status: 'failed', error: reason });
    this.log.flush();
    // A run finished as failed is nobody's to execute: let go of the lease the takeover took.
    if (this.lease.holds(runId)) this.lease.release(runId);
    let view: RunView;
    try {
      view = foldRun(runId, this.store.events(runId));
    } catch {
      view = emptyRunView(runId);
    }
    view.status = 'failed';
    view.error = reason;
    return { runId, done: Promise.resolve(view) };
  }

  /** `definitions`: edited definitions of the rerun nodes (already validated against the run's graph). */
  rerun(record: RunRecord, nodeId: string, mode: RerunMode, inputs?: Record<string, unknown>, definitions?: readonly WorkflowNode[]): RunHandle {
    return this.takeOver(record, (x) => x.rerun(nodeId, mode, inputs, definitions));
  }

  retryFailed(record: RunRecord, definitions?: readonly WorkflowNode[]): RunHandle {
    return this.takeOver(record, (x) => x.retryFailed(definitions));
  }

  cancel(runId: string): boolean {
    const execution = this.active.get(runId);
    if (!execution) return false;
    void execution.cancel();
    return true;
  }

  /** Resolves when the run finishes (a `run.finished` event), or at once if it is not running here. */
  waitForFinish(runId: string): Promise<RunView> | undefined {
    if (!this.active.has(runId)) return undefined;
    return new Promise((resolve) => {
      const list = this.finishWaiters.get(runId) ?? [];
      list.push(resolve);
      this.finishWaiters.set(runId, list);
    });
  }

  /** Hands an answer to a node of this process waiting for it; false when none waits here. */
  deliverApproval(runId: string, nodeId: string, approved: boolean, comment?: string): boolean {
    for (const w of this.approvalWaiters) {
      if (w.runId === runId && w.nodeId === nodeId) {
        this.store.consumeApproval(runId, nodeId);
        w.resolve(comment === undefined ? { approved } : { approved, comment });
        return true;
      }
    }
    return false;
  }

  /**
   * Stops polling and detaches; running executions are left as they are (the next start resumes
   * them). What they recorded is flushed first, then their leases are released, so a resume
   * after a clean exit (Ctrl-C twice, SIGTERM of `awe serve`) need not wait for a lapse.
   */
  close(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
    try {
      this.log.flush();
    } finally {
      this.lease.releaseAll();
    }
  }

  /** Another process took the run over (this one stalled past its lease): stop executing it, record nothing more. */
  private leaseLost(runId: string): void {
    const message = `run ${runId} was taken over by another AWE process after this one missed its lease; it goes on there, stopped here`;
    this.logger.warn(message);
    const execution = this.active.get(runId);
    this.lost.add(runId);
    this.active.delete(runId);
    this.log.forget(runId);
    if (!execution) return;
    // Callers waiting here for the run's end would never see it (the new owner records it):
    // they get the run as this process last saw it, marked, before the cancel below changes it.
    const view: RunView = { ...structuredClone(execution.view), ownerChanged: { code: 'OWNER_CHANGED', message } };
    this.handedOver.set(execution, view);
    const waiters = this.finishWaiters.get(runId) ?? [];
    this.finishWaiters.delete(runId);
    for (const resolve of waiters) resolve(view);
    execution.cancel();
  }

  private execution(spec: RunSpec, runAllow: readonly string[], prior?: EngineEvent[]): RunExecution {
    const { runId } = spec;
    const shared = this.shared();
    const workflowAllow = shared.workflowAllow(spec.workflow);
    const deps: ExecutionDeps = {
      ...shared,
      // Once the lease is lost the new owner writes this run's log: nothing more from here.
      emit: (body) => (this.lost.has(runId) ? ({ ...body, runId, seq: 0, ts: Date.now() } as EngineEvent) : this.log.emit(runId, body)),
      artifactsFor: (nodeId) => this.artifacts.sinkFor(runId, nodeId),
      approvals: { wait: (nodeId, signal) => this.waitForApproval(runId, nodeId, signal) },
      isAllowed: (toolName) => shared.isAllowed(toolName, runAllow, workflowAllow),
    };
    const execution = new RunExecution(spec, deps, prior);
    this.active.set(runId, execution);
    this.ensurePolling();
    return execution;
  }

  /**
   * The one way "run finished" reaches anyone: when the execution's drive settles, its
   * events are flushed, then the lease is let go and `waitForFinish` waiters are answered.
   */
  private handle(runId: string, execution: RunExecution, run: () => Promise<RunView>): RunHandle {
    const done = run().then(
      (view) => {
        // Its lease moved: the cancel that stopped it here is not the run's outcome.
        const handedOver = this.handedOver.get(execution);
        if (handedOver) return handedOver;
        // Whoever awaits `done` reads the store next: the final events must be in it.
        this.log.flush();
        if (TERMINAL_RUN_STATUSES.includes(view.status)) this.finished(runId, execution, view);
        return view;
      },
      (err: unknown) => {
        const handedOver = this.handedOver.get(execution);
        if (handedOver) return handedOver;
        this.finished(runId, execution, execution.view);
        throw err;
      },
    );
    return { runId, done };
  }

  private finished(runId: string, execution: RunExecution, view: RunView): void {
    // A run taken over again since (its lease was lost, then adopted) belongs to its new execution.
    if (this.active.get(runId) !== execution) return;
    this.active.delete(runId);
    // Its last events are flushed (see handle): the next owner may start at once.
    if (!this.lost.has(runId)) this.lease.release(runId);
    const waiters = this.finishWaiters.get(runId) ?? [];
    this.finishWaiters.delete(runId);
    for (const resolve of waiters) resolve(view);
    if (this.active.size === 0 && this.approvalWaiters.size === 0 && this.pollTimer) {
      clearInterval(this.pollTimer);
      this.pollTimer = undefined;
    }
  }

  private waitForApproval(runId: string, nodeId: string, signal: AbortSignal): Promise<{ approved: boolean; comment?: string }> {
    // A decision recorded while no one waited (another process, before a crash resume) is used once.
    const earlier = this.store.approval(runId, nodeId);
    if (earlier && earlier.decidedAt !== null && !earlier.consumed && earlier.approved !== null) {
      this.store.consumeApproval(runId, nodeId);
      return Promise.resolve(earlier.comment === null ? { approved: earlier.approved } : { approved: earlier.approved, comment: earlier.comment });
    }
    this.store.requestApproval(runId, nodeId);
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const waiter: ApprovalWaiter = {
        runId,
        nodeId,
        resolve: (answer) => {
          this.approvalWaiters.delete(waiter);
          signal.removeEventListener('abort', onAbort);
          resolve(answer);
        },
      };
      const onAbort = () => {
        this.approvalWaiters.delete(waiter);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.approvalWaiters.add(waiter);
      this.ensurePolling();
    });
  }

  private ensurePolling(): void {
    if (this.pollTimer) return;
    this.pollTimer = setInterval(() => this.poll(), POLL_MS);
  }

  /** Picks up what other processes wrote: approval decisions and cancel requests. */
  private poll(): void {
    try {
      for (const w of [...this.approvalWaiters]) {
        const row = this.store.approval(w.runId, w.nodeId);
        if (row && row.decidedAt !== null && row.approved !== null && !row.consumed) {
          this.deliverApproval(w.runId, w.nodeId, row.approved, row.comment ?? undefined);
        }
      }
      for (const [runId, execution] of this.active) {
        if (this.store.cancelRequested(runId)) {
          this.store.clearCancelRequest(runId);
          void execution.cancel();
        }
      }
    } catch (err) {
      this.logger.warn(`checking approvals and cancel requests failed: ${(err as Error).message}`);
    }
  }
}
