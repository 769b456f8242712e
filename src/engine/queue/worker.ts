/**
 * `awe worker`'s engine: takes node executions from the BullMQ queue and runs each with the
 * same `invokeTool` and error classification as in-process execution. It refuses a task whose
 * tool version differs from its own (permanent), streams the tool's logs as job progress and
 * returns them in the result too, aborts the tool's AbortSignal when the control plane cancels
 * or the task's deadline passes (and does not start a task already past it), and on `drain()` finishes its active jobs and takes no new ones.
 */
import { hostname } from 'node:os';
import { UnrecoverableError, Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import {
  DEFAULT_QUEUE_NAME,
  QUEUE_FAILURE_PREFIX,
  QUEUE_WIRE_VERSION,
  QueueTask,
  type QueueError,
  type QueueLog,
  type QueueProgress,
  type QueueResult,
  type QueueUsage,
} from '../../contract';
import { classifyError, permanent, transient } from '../errors';
import { Deadline } from '../execution/deadline';
import type { TaskTracer } from '../observe/task-tracer';
import type { RefusalReason, WorkerMetrics } from '../observe/worker-metrics';
import { invokeTool } from '../tools/invoke';
import type { LlmChatClient, ToolContext, ToolSpec } from '../tools/types';
import { cancelChannel, cancelKey } from './cancel';
import { placementOf, redisFromUrl } from './wire';

export interface QueueWorkerOptions {
  url: string;
  /** @default awe-nodes */
  queueName?: string;
  /** Jobs run at once. @default 4 */
  concurrency?: number;
  tools: { get(name: string): ToolSpec | undefined };
  llm?: LlmChatClient;
  /**
   * How long a job's lock lasts without renewal; a worker that dies holds its jobs this long,
   * then the stalled check hands them to another. @default 30000 (BullMQ's)
   */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for. @default 30000 (BullMQ's) */
  stalledIntervalMs?: number;
  /** @default `${hostname}:${pid}` */
  workerId?: string;
  /** Spans of the tasks it runs, continuing each task's trace. @default none */
  tracer?: TaskTracer;
  /** Counts of the tasks it takes, refuses and runs (`awe worker --metrics-port`). @default none */
  metrics?: WorkerMetrics;
  /** One line per event worth a person's attention. @default stdout */
  say?: (line: string) => void;
}

/** How often streamed logs are sent as job progress, at most. */
const PROGRESS_MS = 100;

export class QueueWorker {
  private worker: Worker | undefined;
  private subscriber: Redis | undefined;
  private conn: Redis | undefined;
  private workerConn: Redis | undefined;
  readonly id: string;

  constructor(private readonly o: QueueWorkerOptions) {
    this.id = o.workerId ?? `${hostname()}:${process.pid}`;
  }

  get queueName(): string {
    return this.o.queueName ?? DEFAULT_QUEUE_NAME;
  }

  async start(): Promise<void> {
    this.conn = redisFromUrl(this.o.url);
    this.subscriber = redisFromUrl(this.o.url);
    this.subscriber.on('message', (_channel: string, jobId: string) => {
      if (this.worker?.cancelJob(jobId, 'cancelled by the control plane')) this.say(`job ${jobId}: cancelled by the control plane`);
    });
    await this.subscriber.subscribe(cancelChannel(this.queueName));
    this.worker = new Worker(this.queueName, (job, _token, signal) => this.process(job, signal), {
      connection: (this.workerConn = redisFromUrl(this.o.url)),
      concurrency: this.o.concurrency ?? 4,
      lockDuration: this.o.lockDurationMs ?? 30_000,
      stalledInterval: this.o.stalledIntervalMs ?? 30_000,
      // Lost once: redelivered. Lost twice: failed, and the control plane's retry policy decides (WORKER_LOST).
      maxStalledCount: 1,
      autorun: true,
    });
    this.worker.on('error', (err) => this.say(`queue error: ${err.message}`));
    await this.worker.waitUntilReady();
  }

  /** Finishes the jobs it holds, takes no new ones, then disconnects. */
  async drain(): Promise<void> {
    await this.worker?.close();
    this.subscriber?.disconnect();
    this.conn?.disconnect();
    this.workerConn?.disconnect();
    await this.o.tracer?.shutdown();
  }

  private say(line: string): void {
    (this.o.say ?? ((l: string) => process.stdout.write(`[awe worker] ${l}\n`)))(line);
  }

  private async process(job: Job, signal: AbortSignal | undefined): Promise<QueueResult> {
    const delivery = Math.max(1, job.attemptsStarted || job.stalledCounter + 1 || 1);
    const release = this.o.metrics?.taken(delivery);
    try {
      return await this.execute(job, signal, delivery);
    } finally {
      release?.();
    }
  }

  private async execute(job: Job, signal: AbortSignal | undefined, delivery: number): Promise<QueueResult> {
    const logs: QueueLog[] = [];
    const usage: QueueUsage[] = [];
    const stream = new ProgressStream(job, logs);
    const log = (level: QueueLog['level'], message: string, data?: unknown) => {
      logs.push(data === undefined ? { level, message, ts: Date.now() } : { level, message, data, ts: Date.now() });
      stream.poke();
    };
    const fail = (error: QueueError): never => {
      const result: QueueResult = { v: QUEUE_WIRE_VERSION, ok: false, error, logs, usage, worker: this.id, delivery };
      // Unrecoverable: BullMQ never retries by itself; our retry policy decides on the control plane.
      throw new UnrecoverableError(QUEUE_FAILURE_PREFIX + JSON.stringify(result));
    };
    const refuse = (reason: RefusalReason, error: QueueError): never => {
      this.o.metrics?.refusedTask(reason);
      return fail(error);
    };
    if (delivery > 1) {
      this.say(`job ${job.id}: redelivered (delivery ${delivery})`);
      log('warn', `redelivered (delivery ${delivery}): the worker that held it was lost; running again on ${this.id}`);
    }
    const parsed = QueueTask.safeParse(job.data);
    if (!parsed.success) {
      const v = (job.data as { v?: unknown } | undefined)?.v;
      return refuse('wire_version', { class: 'permanent', code: 'WIRE_VERSION', message: `task of wire version ${String(v)} refused: this worker speaks version ${QUEUE_WIRE_VERSION}` });
    }
    const task = parsed.data;
    if (this.conn && (await this.conn.exists(cancelKey(this.queueName, job.id!))) === 1) {
      return refuse('cancelled', { class: 'cancelled', code: 'CANCELLED', message: 'cancelled by the control plane before it started' });
    }
    const spec = this.o.tools.get(task.tool.name);
    if (!spec) return refuse('unknown_tool', { class: 'permanent', code: 'UNKNOWN_TOOL', message: `tool "${task.tool.name}" is not installed on worker ${this.id}` });
    if (spec.version !== task.tool.version) {
      return refuse('tool_version', {
        class: 'permanent',
        code: 'TOOL_VERSION',
        message: `worker ${this.id} has ${spec.name} version ${spec.version}, the task needs version ${task.tool.version}; refused`,
      });
    }
    if (placementOf(spec) === 'local') return refuse('placement', { class: 'permanent', code: 'PLACEMENT', message: `${spec.name} runs only in the control plane` });
    // Classified as the in-process timeout is (transient TIMEOUT): our retry policy decides as it would there.
    const pastDeadline = (when: string) => `${spec.name} (node "${task.nodeId}") ${when} its deadline (${describeTime(task.deadlineAt!)}) on worker ${this.id}`;
    if (task.deadlineAt !== undefined && task.deadlineAt <= Date.now()) {
      const e = transient('TIMEOUT', pastDeadline('was taken after'));
      this.say(`job ${job.id}: not started, past its deadline`);
      return refuse('past_deadline', { class: e.class, code: e.code, message: e.message });
    }
    this.say(`job ${job.id}: ${spec.name} started (key ${task.idempotencyKey}, delivery ${delivery})`);
    // The same Deadline as in-process: aborted by the task's deadline (the control plane may be gone) or by BullMQ's cancel.
    const deadline =
      task.deadlineAt === undefined ? new Deadline(Infinity, spec.name, task.nodeId) : new Deadline(task.deadlineAt - Date.now(), spec.name, task.nodeId, pastDeadline('ran past'));
    const cancel = () => deadline.abort(signal?.reason ?? 'cancelled');
    if (signal?.aborted) cancel();
    signal?.addEventListener('abort', cancel, { once: true });
    const run = (llm: LlmChatClient | undefined) => invokeTool(spec, task.input, this.context(task, deadline.signal, log, usage, llm));
    const started = performance.now();
    const ran = (error?: QueueError) =>
      this.o.metrics?.ran(spec.name, (performance.now() - started) / 1000, error && { class: error.class, timedOut: deadline.expired });
    try {
      // A tool that ignores its signal must not hold the job past a cancel or the deadline.
      const call = this.o.tracer ? this.o.tracer.run(task, { workerId: this.id, delivery }, this.o.llm, run) : run(this.o.llm);
      const { output, truncated } = await deadline.race(call);
      await stream.close();
      ran();
      this.say(`job ${job.id}: succeeded`);
      return { v: QUEUE_WIRE_VERSION, ok: true, output, truncated, logs, usage, worker: this.id, delivery };
    } catch (err) {
      await stream.close();
      if (err instanceof UnrecoverableError) throw err;
      const e = classifyError(deadline.expired ? deadline.reason : err);
      const error: QueueError =
        deadline.aborted && !deadline.expired
          ? { class: 'cancelled', code: 'CANCELLED', message: `cancelled: ${String((deadline.reason as Error)?.message ?? deadline.reason)}` }
          : { class: e.class, code: e.code ?? 'ERROR', message: e.message, ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}) };
      ran(error);
      this.say(`job ${job.id}: failed ${error.class} ${error.code}`);
      return fail(error);
    } finally {
      deadline.clear();
      signal?.removeEventListener('abort', cancel);
    }
  }

  private context(task: QueueTask, signal: AbortSignal, log: ToolContext['log'], usage: QueueUsage[], llm: LlmChatClient | undefined): ToolContext {
    const notHere = (what: string) => permanent('NOT_ON_WORKER', `${task.tool.name}: ${what} is only available in the control plane (placement local)`);
    return {
      signal,
      log,
      idempotencyKey: task.idempotencyKey,
      runId: task.runId,
      nodeId: task.nodeId,
      workspaceDir: task.workspaceDir,
      artifacts: {
        save: () => Promise.reject(notHere('saving artifacts')),
      },
      llm,
      reportUsage: (u, model) => {
        usage.push({ promptTokens: u.promptTokens ?? 0, completionTokens: u.completionTokens ?? 0, costUsd: u.costUsd ?? 0, ...(model ? { model } : {}) });
        this.o.metrics?.usage(model, u.promptTokens ?? 0, u.completionTokens ?? 0);
      },
      requestApproval: () => Promise.reject(notHere('asking a person')),
      callTool: () => Promise.reject(notHere('calling another tool')),
    };
  }
}

/** An epoch-ms time as ISO text, or the number when it is beyond what a Date holds. */
function describeTime(ms: number): string {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? `${ms} ms since 1970` : date.toISOString();
}

/** Sends new log lines as job progress, at most every PROGRESS_MS, in order. */
class ProgressStream {
  private sent = 0;
  private timer: NodeJS.Timeout | undefined;
  private chain: Promise<void> = Promise.resolve();

  constructor(
    private readonly job: Job,
    private readonly logs: QueueLog[],
  ) {}

  poke(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, PROGRESS_MS);
  }

  private flush(): void {
    if (this.sent >= this.logs.length) return;
    const progress: QueueProgress = { from: this.sent, logs: this.logs.slice(this.sent) };
    this.sent = this.logs.length;
    // Progress is a courtesy (the result carries every line): a failed update is not the job's failure.
    this.chain = this.chain.then(() => this.job.updateProgress(progress)).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.chain;
  }
}
