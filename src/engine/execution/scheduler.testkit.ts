/**
 * Test harness for the scheduler: a real RunExecution with an in-memory event log,
 * cache and approval desk, and small test-only tools.
 */
import { z } from 'zod';
import { Workflow, type EngineEvent, type EngineEventBody, type WorkflowInput } from '../../contract';
import { Limiter } from './limiter';
import { RunExecution } from './scheduler';
import type { ExecutionDeps } from './run-context';
import { isAllowed } from '../tools/registry';
import { effectiveRunInputs } from '../workflow/inputs';
import type { ToolContext, ToolSpec } from '../tools/types';

export function testTool(
  name: string,
  run: (input: any, ctx: ToolContext) => Promise<unknown>,
  extra: Partial<ToolSpec> = {},
): ToolSpec {
  return { name, title: name, description: `test tool ${name}`, version: '1', input: z.any(), output: z.any(), effects: 'pure', run, ...extra };
}

/** Answers approvals when the test says so. */
export class ApprovalDesk {
  readonly asked: string[] = [];
  private readonly pending = new Map<string, (a: { approved: boolean; comment?: string }) => void>();
  private readonly listeners: (() => void)[] = [];
  wait = (nodeId: string, signal: AbortSignal) =>
    new Promise<{ approved: boolean; comment?: string }>((resolve, reject) => {
      this.asked.push(nodeId);
      this.pending.set(nodeId, resolve);
      signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      for (const l of this.listeners.splice(0)) l();
    });
  answer(nodeId: string, approved: boolean, comment?: string): void {
    const resolve = this.pending.get(nodeId);
    if (!resolve) throw new Error(`no approval pending for ${nodeId}`);
    this.pending.delete(nodeId);
    resolve({ approved, comment });
  }
  /** Resolves once some node waits for an answer. */
  async someoneAsks(): Promise<void> {
    if (this.pending.size) return;
    await new Promise<void>((r) => this.listeners.push(r));
  }
}

export interface HarnessOptions {
  tools?: ToolSpec[];
  inputs?: Record<string, unknown>;
  concurrency?: number;
  globalLimiter?: Limiter;
  interactive?: boolean;
  allow?: string[];
  judge?: ExecutionDeps['judge'];
  cache?: Map<string, unknown>;
  prior?: EngineEvent[];
  runId?: string;
  executor?: ExecutionDeps['executor'];
}

export function harness(doc: WorkflowInput, opts: HarnessOptions = {}) {
  const workflow = Workflow.parse(doc);
  const events: EngineEvent[] = [...(opts.prior ?? [])];
  let seq = events.length ? events[events.length - 1].seq : 0;
  const runId = opts.runId ?? 'run1';
  const tools = new Map((opts.tools ?? []).map((t) => [t.name, t]));
  const cache = opts.cache ?? new Map<string, unknown>();
  const desk = new ApprovalDesk();
  const deps: ExecutionDeps = {
    tools,
    emit: (body: EngineEventBody) => {
      const e = { ...body, runId, seq: ++seq, ts: Date.now() } as EngineEvent;
      events.push(e);
      return e;
    },
    globalLimiter: opts.globalLimiter ?? new Limiter(64),
    cache: { get: (k) => (cache.has(k) ? { output: cache.get(k) } : undefined), set: (k, v) => void cache.set(k, v) },
    artifactsFor: () => ({ save: async () => { throw new Error('no artifacts in scheduler tests'); } }),
    approvals: { wait: desk.wait },
    isAllowed: (name) => isAllowed(name, [...(workflow.settings.allowTools ?? []), ...(opts.allow ?? [])]),
    interactive: opts.interactive ?? false,
    judge: opts.judge,
    random: () => 0.5,
    executor: opts.executor,
  };
  // Typed as engine.startRun types them before a run is stored.
  const typed = effectiveRunInputs(workflow, opts.inputs ?? {});
  if (typed.problems.length) throw new Error(typed.problems.join('; '));
  const exec = new RunExecution(
    { runId, workflow, inputs: typed.inputs, concurrency: opts.concurrency ?? 8, workspaceDir: '/tmp' },
    deps,
    opts.prior,
  );
  const of = <T extends EngineEvent['type']>(type: T) => events.filter((e): e is Extract<EngineEvent, { type: T }> => e.type === type);
  const statuses = (nodeId: string) => of('node.status').filter((e) => e.nodeId === nodeId).map((e) => e.status);
  return { exec, events, desk, cache, workflow, of, statuses, view: () => exec.view };
}

export const node = (id: string, extra: Record<string, unknown> = {}) => ({ id, kind: 'tool' as const, tool: 't.echo', inputs: {}, ...extra });
export const edge = (source: string, target: string, branch?: 'true' | 'false') => ({ id: `${source}_${target}`, source, target, ...(branch ? { branch } : {}) });

export const echo = testTool('t.echo', async (input) => input);
