/**
 * Owns the runs this process executes: starts them, hands each a RunExecution wired to
 * the store, claims crashed runs for resume, answers approvals (in-process, or written
 * by another process and picked up by polling) and honours cancel requests made by
 * other processes (`awe cancel`). The scheduler only emits events; this persists them.
 */
import { emptyRunView, foldRun, TERMINAL_RUN_STATUSES, type EngineEvent, type RerunMode, type RunView } from '../contract';
import type { ArtifactFiles } from './artifacts';
import type { EventLog } from './event-log';
import { RunExecution, type ExecutionDeps, type RunSpec } from './scheduler';
import type { RunRecord, Store } from './store/store';
import type { RunHandle } from './types';

/** How often waiting approvals and cross-process cancel requests are checked. */
export const POLL_MS = 500;

/** What every execution shares; per-run parts (emit, artifacts, approvals) are added here. */
export type SharedDeps = Omit<ExecutionDeps, 'emit' | 'artifactsFor' | 'approvals' | 'isAllowed'> & {
  isAllowed(toolName: string, runAllow: readonly string[], workflowAllow: readonly string[]): boolean;
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
  private readonly unsubscribe: () => void;

  constructor(
    private readonly store: Store,
    private readonly log: EventLog,
    private readonly artifacts: ArtifactFiles,
    private readonly shared: () => SharedDeps,
    private readonly pid = process.pid,
  ) {
    this.unsubscribe = log.subscribe((batch) => this.onBatch(batch));
  }

  /** Starts a new run whose row the caller already created. */
  start(spec: RunSpec, allow: readonly string[]): RunHandle {
    const execution = this.execution(spec, allow);
    return this.handle(spec.runId, () => execution.start());
  }

  /** Whether the run's owner (this process or another) is executing it now. */
  ownerAlive(record: RunRecord): boolean {
    if (this.active.has(record.run.id)) return true;
    const pid = record.ownerPid;
    if (pid === null || pid === this.pid) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch (err) {
      return (err as NodeJS.ErrnoException).code === 'EPERM';
    }
  }

  isActive(runId: string): boolean {
    return this.active.has(runId);
  }

  view(runId: string): RunView | undefined {
    return this.active.get(runId)?.view;
  }

  /** Takes over a stored run (dead owner) and runs `action` on a fresh execution built from its events. */
  takeOver(record: RunRecord, action: (execution: RunExecution) => Promise<RunView>): RunHandle {
    const runId = record.run.id;
    const current = this.active.get(runId);
    if (current) return this.handle(runId, () => action(current));
    if (this.ownerAlive(record)) {
      throw Object.assign(new Error(`run ${runId} is being executed by another AWE process (pid ${record.ownerPid})`), { code: 'CONFLICT' });
    }
    if (!this.store.claimRun(runId, record.ownerPid, this.pid)) {
      throw Object.assign(new Error(`run ${runId} was just taken over by another AWE process`), { code: 'CONFLICT' });
    }
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
    return this.handle(runId, () => action(execution));
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
      if ((err as { code?: string }).code === 'CONFLICT') throw err;
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
    process.stderr.write(`[awe] run ${runId} ${reason}\n`);
    this.log.forget(runId);
    this.log.emit(runId, { type: 'run.finished', status: 'failed', error: reason });
    this.log.flush();
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

  rerun(record: RunRecord, nodeId: string, mode: RerunMode, inputs?: Record<string, unknown>): RunHandle {
    return this.takeOver(record, (x) => x.rerun(nodeId, mode, inputs));
  }

  retryFailed(record: RunRecord): RunHandle {
    return this.takeOver(record, (x) => x.retryFailed());
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

  /** Stops polling and detaches; running executions are left as they are (the next start resumes them). */
  close(): void {
    this.unsubscribe();
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }

  private execution(spec: RunSpec, runAllow: readonly string[], prior?: EngineEvent[]): RunExecution {
    const { runId } = spec;
    const workflowAllow = spec.workflow.settings.allowTools ?? [];
    const shared = this.shared();
    const deps: ExecutionDeps = {
      ...shared,
      emit: (body) => this.log.emit(runId, body),
      artifactsFor: (nodeId) => this.artifacts.sinkFor(runId, nodeId),
      approvals: { wait: (nodeId, signal) => this.waitForApproval(runId, nodeId, signal) },
      isAllowed: (toolName) => shared.isAllowed(toolName, runAllow, workflowAllow),
    };
    const execution = new RunExecution(spec, deps, prior);
    this.active.set(runId, execution);
    this.ensurePolling();
    return execution;
  }

  private handle(runId: string, run: () => Promise<RunView>): RunHandle {
    const done = run().then(
      (view) => {
        // Whoever awaits `done` reads the store next: the final events must be in it.
        this.log.flush();
        if (TERMINAL_RUN_STATUSES.includes(view.status)) this.finished(runId, view);
        return view;
      },
      (err: unknown) => {
        this.finished(runId, this.view(runId) ?? foldRun(runId, this.store.events(runId)));
        throw err;
      },
    );
    return { runId, done };
  }

  private onBatch(batch: EngineEvent[]): void {
    for (const e of batch) {
      if (e.type === 'run.finished' && this.active.has(e.runId)) {
        // Let the execution apply the event to its own view before waiters read it.
        queueMicrotask(() => {
          const execution = this.active.get(e.runId);
          if (execution && TERMINAL_RUN_STATUSES.includes(execution.view.status)) this.finished(e.runId, execution.view);
        });
      }
    }
  }

  private finished(runId: string, view: RunView): void {
    this.active.delete(runId);
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
      process.stderr.write(`[awe] checking approvals and cancel requests failed: ${(err as Error).message}\n`);
    }
  }
}
