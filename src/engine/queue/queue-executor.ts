/**
 * The queue executor (issue 12): hands node executions to `awe worker` processes as BullMQ
 * jobs on Redis, behind the same `Executor` seam as in-process execution. The scheduler, its
 * retries, deadlines, approvals and the event log stay here; Redis carries dispatch state only.
 *
 * - One job per dispatch, id from run, node, generation and dispatch number (wire.ts), `attempts: 1`:
 *   our retry policy decides, and a retry is a new dispatch. A control plane that restarts finds
 *   the latest dispatch of a node still in Redis and re-attaches (a finished one is adopted).
 * - Results arrive by QueueEvents *and* a reconcile sweep (events are not durable): completed →
 *   adopted, failed → decoded with its class and code, missing (Redis lost it) → added again
 *   under the same id.
 * - Cancel (run cancel, the node's deadline) marks the job cancelled in Redis and tells every
 *   worker; the one running it aborts the tool's AbortSignal.
 * - Tools placed `local` (placementOf) run in this process, as before.
 */
import { Queue, QueueEvents, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import { DEFAULT_QUEUE_NAME, QUEUE_WIRE_VERSION, QueueProgress, QueueResult, type QueueLog, type QueueTask } from '../../contract';
import { ToolError } from '../errors';
import { stderrLogger, type EngineLogger } from '../observe/logger';
import { inProcessExecutor, type Executor } from '../execution/executor';
import type { ToolContext, ToolSpec } from '../tools/types';
import { cancelChannel, cancelKey } from './cancel';
import { decodeFailure, generationOf, jobIdFor, placementOf, redisFromUrl } from './wire';

export interface QueueExecutorOptions {
  /** `redis://HOST:PORT` or `unix:///path/redis.sock` (`--queue`, `AWE_QUEUE_URL`). */
  url: string;
  /** @default awe-nodes */
  queueName?: string;
  /** Runs `local` tools. @default inProcessExecutor */
  local?: Executor;
  /** How often in-flight jobs are looked up in Redis, since its events are not durable. @default 2000 */
  reconcileMs?: number;
  /** Finished jobs are kept this long (s) so a restarted control plane can adopt them. @default 86400 */
  keepSeconds?: number;
  /** Says what it does that a person should know (a job re-added, a redelivery). @default the engine's stderr logger */
  logger?: EngineLogger;
}

export interface QueueCounts {
  waiting: number;
  active: number;
  delayed: number;
  completed: number;
  failed: number;
}

interface InFlight {
  jobId: string;
  task: QueueTask;
  ctx: ToolContext;
  /** Log lines already passed to the node (progress, then the result's remainder). */
  logsForwarded: number;
  /** False until `add` returned: the sweep leaves it alone until then. */
  added: boolean;
  resolve(result: { output: unknown; truncated: boolean }): void;
  reject(error: unknown): void;
  cleanup(): void;
}

export class QueueExecutor implements Executor {
  private conn: Redis | undefined;
  private queue: Queue | undefined;
  private events: QueueEvents | undefined;
  private eventsConn: Redis | undefined;
  private readonly inFlight = new Map<string, InFlight>();
  /** Latest dispatch number seen per idempotency key: probing starts there. */
  private readonly lastDispatch = new Map<string, number>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private sweeping = false;
  private closed = false;
  readonly queueName: string;

  constructor(private readonly o: QueueExecutorOptions) {
    this.queueName = o.queueName ?? DEFAULT_QUEUE_NAME;
  }

  execute(spec: ToolSpec, input: unknown, ctx: ToolContext): Promise<{ output: unknown; truncated: boolean }> {
    if (placementOf(spec) === 'local') return (this.o.local ?? inProcessExecutor).execute(spec, input, ctx);
    return this.dispatch(spec, input, ctx);
  }

  /** Jobs per state, for the queue depth metric and `awe worker` scaling. */
  async counts(): Promise<QueueCounts> {
    const c = await this.open().queue.getJobCounts('wait', 'prioritized', 'active', 'delayed', 'completed', 'failed');
    return { waiting: (c.wait ?? 0) + (c.prioritized ?? 0), active: c.active ?? 0, delayed: c.delayed ?? 0, completed: c.completed ?? 0, failed: c.failed ?? 0 };
  }

  /** Node executions waiting for a result from a worker. */
  get pending(): number {
    return this.inFlight.size;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    for (const entry of this.inFlight.values()) entry.reject(new ToolError('transient', 'QUEUE_CLOSED', 'the control plane stopped waiting for this job'));
    this.inFlight.clear();
    await Promise.allSettled([this.events?.close(), this.queue?.close()]);
    this.conn?.disconnect();
    this.eventsConn?.disconnect();
  }

  private open(): { queue: Queue; conn: Redis } {
    if (this.closed) throw new ToolError('transient', 'QUEUE_CLOSED', 'the queue executor is closed');
    if (!this.queue || !this.conn) {
      this.conn = redisFromUrl(this.o.url);
      this.queue = new Queue(this.queueName, { connection: this.conn });
      this.queue.on('error', () => undefined);
      this.eventsConn = redisFromUrl(this.o.url);
      const events = new QueueEvents(this.queueName, { connection: this.eventsConn });
      events.on('error', () => undefined);
      events.on('completed', ({ jobId, returnvalue }) => this.adoptCompleted(jobId, returnvalue));
      events.on('failed', ({ jobId, failedReason }) => this.adoptFailed(jobId, failedReason));
      events.on('progress', ({ jobId, data }) => this.forwardProgress(jobId, data));
      this.events = events;
      this.sweepTimer = setInterval(() => void this.sweep(), this.o.reconcileMs ?? 2000);
      this.sweepTimer.unref();
    }
    return { queue: this.queue, conn: this.conn };
  }

  private async dispatch(spec: ToolSpec, input: unknown, ctx: ToolContext): Promise<{ output: unknown; truncated: boolean }> {
    const { queue } = this.open();
    const key = ctx.idempotencyKey;
    const signal = ctx.signal;
    const { dispatch, attach } = await this.whileRedisIsAway(signal, () => this.findDispatch(key, JSON.stringify(input ?? null)));
    const jobId = jobIdFor(key, dispatch);
    const task: QueueTask = {
      v: QUEUE_WIRE_VERSION,
      runId: ctx.runId,
      nodeId: ctx.nodeId,
      generation: generationOf(key, ctx.runId, ctx.nodeId),
      dispatch,
      idempotencyKey: key,
      tool: { name: spec.name, version: spec.version },
      input,
      workspaceDir: ctx.workspaceDir,
      // The worker's span continues the node attempt's trace.
      ...(ctx.trace ? { trace: ctx.trace } : {}),
      ...(ctx.deadlineAt !== undefined ? { deadlineAt: Math.ceil(ctx.deadlineAt) } : {}),
    };
    if (signal.aborted) throw signal.reason;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.settle(jobId)?.reject(signal.reason);
        void this.cancelRemote(jobId);
      };
      const entry: InFlight = {
        jobId,
        task,
        ctx,
        logsForwarded: 0,
        added: attach,
        resolve,
        reject,
        cleanup: () => signal.removeEventListener('abort', onAbort),
      };
      this.inFlight.set(jobId, entry);
      signal.addEventListener('abort', onAbort, { once: true });
      if (attach) {
        ctx.log('info', `re-attached to job ${jobId} (dispatched before this control plane started)`);
        void this.check(jobId);
        return;
      }
      this.whileRedisIsAway(signal, () => queue.add(spec.name, task, this.jobOptions(jobId))).then(
        () => (entry.added = true),
        (err: unknown) => this.settle(jobId)?.reject(err),
      );
    });
  }

  /**
   * Retries a Redis step while Redis is unreachable (a restart, a failover): the node waits,
   * bounded by its own deadline and the run's cancel (`signal`), instead of failing.
   */
  private async whileRedisIsAway<T>(signal: AbortSignal, step: () => Promise<T>): Promise<T> {
    for (let delay = 100; ; delay = Math.min(delay * 2, 2_000)) {
      try {
        return await step();
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        if (this.closed) throw new ToolError('transient', 'QUEUE_CLOSED', 'the queue executor is closed');
        this.report(`Redis step failed (${(err as Error).message}); trying again in ${delay} ms`);
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  private jobOptions(jobId: string) {
    const age = this.o.keepSeconds ?? 86_400;
    return { jobId, attempts: 1, removeOnComplete: { age }, removeOnFail: { age } };
  }

  /**
   * The dispatch to wait for: the latest one in Redis if it is unfinished or finished well with
   * this very input (a result a crashed control plane never recorded), else a new one.
   */
  private async findDispatch(key: string, inputJson: string): Promise<{ dispatch: number; attach: boolean }> {
    const { queue, conn } = this.open();
    let latest: Job | undefined;
    let latestDispatch = 0;
    for (let d = Math.max(1, this.lastDispatch.get(key) ?? 1); ; d++) {
      const job = await queue.getJob(jobIdFor(key, d));
      if (!job) break;
      latest = job;
      latestDispatch = d;
    }
    const known = this.lastDispatch.get(key) ?? 0;
    let result: { dispatch: number; attach: boolean };
    if (!latest) result = { dispatch: Math.max(1, known + (known > 0 ? 1 : 0)), attach: false };
    else {
      const state = await latest.getState();
      const sameInput = JSON.stringify((latest.data as QueueTask | undefined)?.input ?? null) === inputJson;
      const cancelled = (await conn.exists(cancelKey(this.queueName, latest.id!))) === 1;
      const reusable = state !== 'failed' && sameInput && !cancelled && latestDispatch > known;
      result = reusable ? { dispatch: latestDispatch, attach: true } : { dispatch: latestDispatch + 1, attach: false };
    }
    this.lastDispatch.set(key, result.dispatch);
    return result;
  }

  /** Ends the wait for a job (once): later events and sweeps for it are ignored. */
  private settle(jobId: string): InFlight | undefined {
    const entry = this.inFlight.get(jobId);
    if (!entry) return undefined;
    this.inFlight.delete(jobId);
    entry.cleanup();
    return entry;
  }

  private adoptCompleted(jobId: string, raw: unknown): void {
    if (!this.inFlight.has(jobId)) return;
    let value = raw;
    if (typeof raw === 'string') {
      try {
        value = JSON.parse(raw);
      } catch {
        // not ours: reported below
      }
    }
    const parsed = QueueResult.safeParse(value);
    const entry = this.settle(jobId)!;
    if (!parsed.success) return entry.reject(new ToolError('permanent', 'WIRE_RESULT', `job ${jobId} returned a result this control plane cannot read (wire v${QUEUE_WIRE_VERSION} expected)`));
    this.deliverSideData(entry, parsed.data);
    if (parsed.data.ok) entry.resolve({ output: parsed.data.output, truncated: parsed.data.truncated });
    else entry.reject(decodeFailure(jobId, undefined).error);
  }

  private adoptFailed(jobId: string, failedReason: string | undefined): void {
    if (!this.inFlight.has(jobId)) return;
    const entry = this.settle(jobId)!;
    const { error, result } = decodeFailure(jobId, failedReason);
    if (result) this.deliverSideData(entry, result);
    entry.reject(error);
  }

  /** Logs not yet streamed, usage, and a note when a lost worker's job was redelivered. */
  private deliverSideData(entry: InFlight, result: QueueResult): void {
    this.forwardLogs(entry, 0, result.logs);
    // A worker has no price table (no Settings): its cost of 0 means "not priced", and the
    // context prices the tokens with this control plane's prices.
    for (const u of result.usage) {
      entry.ctx.reportUsage({ promptTokens: u.promptTokens, completionTokens: u.completionTokens, ...(u.costUsd > 0 ? { costUsd: u.costUsd } : {}) }, u.model);
    }
  }

  private forwardProgress(jobId: string, data: unknown): void {
    const entry = this.inFlight.get(jobId);
    const progress = QueueProgress.safeParse(data);
    if (entry && progress.success) this.forwardLogs(entry, progress.data.from, progress.data.logs);
  }

  private forwardLogs(entry: InFlight, from: number, logs: QueueLog[]): void {
    for (let i = Math.max(0, entry.logsForwarded - from); i < logs.length; i++) {
      const l = logs[i];
      entry.ctx.log(l.level, l.message, l.data);
    }
    entry.logsForwarded = Math.max(entry.logsForwarded, from + logs.length);
  }

  /** Looks a job up in Redis and adopts what finished; a job Redis lost is added again under its id. */
  private async check(jobId: string): Promise<void> {
    const entry = this.inFlight.get(jobId);
    if (!entry || !entry.added) return;
    const { queue } = this.open();
    // State first, then the job: a job read before it finished would carry no result yet.
    const state = await queue.getJobState(jobId);
    if (!this.inFlight.has(jobId)) return;
    if (state === 'completed' || state === 'failed') {
      const job = await queue.getJob(jobId);
      if (!job || !job.finishedOn) return; // being written or just removed: the next sweep looks again
      if (state === 'completed') this.adoptCompleted(jobId, job.returnvalue);
      else this.adoptFailed(jobId, job.failedReason);
      return;
    }
    if (state === 'unknown') {
      this.report(`job ${jobId} is missing from Redis (was Redis restarted without its data?); queued again under the same id`);
      entry.ctx.log('warn', `job ${jobId} was missing from Redis; queued again`);
      await queue.add(entry.task.tool.name, entry.task, this.jobOptions(jobId));
    }
  }

  private async sweep(): Promise<void> {
    // One sweep at a time: while Redis is down each lookup waits for it to come back.
    if (this.sweeping || this.closed) return;
    this.sweeping = true;
    try {
      for (const jobId of [...this.inFlight.keys()]) {
        try {
          await this.check(jobId);
        } catch {
          // Redis unreachable or the job changed under us: the next sweep looks again.
        }
      }
    } finally {
      this.sweeping = false;
    }
  }

  private async cancelRemote(jobId: string): Promise<void> {
    try {
      const { conn } = this.open();
      // The key stops a worker that takes the job later; the message stops the one running it now.
      await conn.set(cancelKey(this.queueName, jobId), '1', 'EX', this.o.keepSeconds ?? 86_400);
      await conn.publish(cancelChannel(this.queueName), jobId);
    } catch {
      // Closed or unreachable: the node is already cancelled here; a worker's result is ignored.
    }
  }

  private report(line: string): void {
    (this.o.logger ?? stderrLogger).warn(`queue: ${line}`);
  }
}
