/**
 * Executes one node of a run: resolves its templates, reuses a cached output or calls
 * its tool under a deadline, retries what the retry policy allows, lets the critic
 * judge the output, and emits every step as an event. The scheduler decides when.
 */
import { z } from 'zod';
import type { EngineEventBody, NodeError, RunReason, Usage, WorkflowNode } from '../../contract';
import { backoffDelay, shouldRetry, sleep } from './backoff';
import { cacheKey } from './cache-key';
import { DEFAULT_MAX_REWORK, feedbackText, reviewOutput } from './critic';
import { Deadline } from './deadline';
import { classifyError, permanent, ToolError } from '../errors';
import { KIND_RUNS } from './kinds';
import { kindInfo, toolOf } from '../../shared/kinds';
import { asValueTooLarge, assertRecordable, measureRecorded } from './recorded-size';
import type { NodeStatusChange, PersonAnswer, RunContext, StatusDetails } from './run-context';
import { resolveBindings, type TemplateScope } from '../workflow/templates';
import { inProcessExecutor } from './executor';
import type { ArtifactSink, LlmChatClient, ToolContext, ToolSpec } from '../tools/types';

/** Per-attempt deadline when neither the node nor the tool sets one. @default 60 s */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** A log message longer than this is cut when recorded. */
const LOG_MESSAGE_CHARS = 64 * 1024;


export class NodeRunner {
  private readonly activeCalls = new Set<Deadline>();
  private readonly random: () => number;
  /** One per runner (was one per use): `input` reads the view's run inputs when a template asks. */
  private readonly templateScope: TemplateScope;
  /** `call` bound once per run, for the contexts handed to kinds and tools. */
  private readonly callOnce = this.call.bind(this);

  /** @param run the run this runner executes nodes of: it reads and emits only through it. */
  constructor(private readonly run: RunContext) {
    this.random = run.deps.random ?? Math.random;
    this.templateScope = {
      nodes: run.outputs,
      get input() {
        return run.view.inputs;
      },
    };
  }

  /** Aborts every tool call in flight (the run was cancelled). */
  abortAll(reason: unknown): void {
    for (const d of this.activeCalls) d.abort(reason);
  }

  /** Runs the node to a terminal state (or `cancelled`); never rejects. */
  async execute(id: string, firstReason: RunReason): Promise<void> {
    const node = this.run.definitionOf(id)!;
    const generation = this.run.view.nodes[id].generation;
    if (this.run.cancelled) return;
    let reason = firstReason;
    let retries = 0;
    let reworks = 0;
    let feedback: string | undefined;
    let spec: ToolSpec | undefined;
    try {
      spec = this.toolFor(node);
    } catch (e) {
      this.status(id, 'running', { reason, attempt: this.run.nextAttempt(id, generation) });
      return this.fail(id, classifyError(e));
    }
    try {
      // Edited inputs replace the bindings they name, for this and later generations.
      const override = this.run.inputOverrideOf(id);
      const bindings = override ? { ...node.inputs, ...override } : node.inputs;
      for (;;) {
        let input: unknown;
        let key: string | undefined;
        try {
          input = this.resolveInput(node, bindings, feedback);
          // Checked before the input reaches the event log: one value too large to record fails this node only.
          assertRecordable(input, `node "${id}": its resolved input`, this.run.maxRecordedChars);
          if (spec && node.cache) {
            key = cacheKey({ tool: spec.name, version: spec.version, input, model: modelOf(node, input, this.run.deps.llm?.model) });
            const hit = this.run.deps.cache.get(key);
            if (hit) {
              this.run.emit({ type: 'node.output', nodeId: id, generation, output: hit.output, cached: true });
              this.status(id, 'succeeded', { reason: 'cache' });
              return;
            }
          }
        } catch (e) {
          this.status(id, 'running', { reason, attempt: this.run.nextAttempt(id, generation) });
          return this.fail(id, classifyError(asValueTooLarge(e, `node "${id}": its resolved input`)));
        }
        this.status(id, 'running', { reason, input, attempt: this.run.nextAttempt(id, generation) });
        let result: { output: unknown; truncated: boolean };
        try {
          result = await this.perform(node, spec, input, generation);
        } catch (e) {
          if (this.run.cancelled) return this.status(id, 'cancelled', { detail: 'the run was cancelled' });
          const error = classifyError(e);
          if (!shouldRetry(error, node.retry, retries)) return this.fail(id, error);
          const delayMs = backoffDelay(retries, node.retry, this.random, error.retryAfterMs);
          const err = plainError(error);
          this.status(id, 'retrying', { error: err });
          this.run.emit({ type: 'node.retry', nodeId: id, attempt: this.run.currentAttempt(id), delayMs, error: err });
          try {
            await sleep(delayMs, this.run.signal);
          } catch {
            return this.status(id, 'cancelled', { detail: 'the run was cancelled' });
          }
          retries++;
          reason = 'retry';
          continue;
        }
        try {
          assertRecordable(result.output, `node "${id}": its output`, this.run.maxRecordedChars);
        } catch (e) {
          return this.fail(id, classifyError(e));
        }
        const recorded: Extract<EngineEventBody, { type: 'node.output' }> = { type: 'node.output', nodeId: id, generation, output: result.output, cached: false };
        if (result.truncated) recorded.truncated = true;
        this.run.emit(recorded);
        if (node.acceptance) {
          const verdict = await this.review(node, result.output);
          this.run.emit({ type: 'node.verdict', nodeId: id, pass: verdict.pass, reasons: verdict.reasons, rework: reworks, judge: verdict.judge });
          if (!verdict.pass) {
            if (reworks < (node.acceptance.maxRework ?? DEFAULT_MAX_REWORK)) {
              reworks++;
              retries = 0;
              feedback = feedbackText(verdict.reasons);
              reason = 'rework';
              continue;
            }
            const times = reworks === 1 ? '1 rework' : `${reworks} reworks`;
            return this.fail(id, { class: 'permanent', code: 'REJECTED', message: `output rejected after ${times}: ${verdict.reasons.join('; ')}` });
          }
        }
        if (key !== undefined) this.run.deps.cache.set(key, result.output);
        this.status(id, 'succeeded', {});
        return;
      }
    } catch (e) {
      // A bug here must still end the node, or the run would never finish.
      if (this.run.cancelled) return this.status(id, 'cancelled', { detail: 'the run was cancelled' });
      // An event the log refused (VALUE_TOO_LARGE / VALUE_NOT_JSON) keeps its own code.
      this.fail(id, e instanceof ToolError ? classifyError(e) : { ...classifyError(e), code: 'INTERNAL' });
    }
  }

  private toolFor(node: WorkflowNode): ToolSpec | undefined {
    if (kindInfo(node.kind).tool.uses === 'none') return undefined;
    const name = toolOf(node);
    if (!name) throw permanent('NO_TOOL', `node "${node.id}" (${node.kind}) names no tool`);
    const spec = this.run.deps.tools.get(name);
    if (!spec) throw permanent('UNKNOWN_TOOL', `node "${node.id}": tool "${name}" is not registered`);
    return spec;
  }

  private scope(): TemplateScope {
    return this.templateScope;
  }

  private resolveInput(node: WorkflowNode, bindings: Record<string, unknown>, feedback: string | undefined): unknown {
    const input = resolveBindings(bindings, this.scope()) as Record<string, unknown>;
    const model = this.run.spec.workflow.settings.model;
    if (kindInfo(node.kind).usesModel && model && input.model === undefined) input.model = model;
    if (feedback !== undefined) input._feedback = feedback;
    return input;
  }

  private perform(node: WorkflowNode, spec: ToolSpec | undefined, input: unknown, generation: number): Promise<{ output: unknown; truncated: boolean }> {
    // Methods, not arrow properties: they close over the same variables, and a build that
    // keeps function names (tsx, esbuild keepNames) names each arrow property with a
    // defineProperty call — for every node.
    const { run, callOnce } = this;
    return KIND_RUNS[node.kind]({
      node,
      input: input as Record<string, unknown>,
      runInputs: this.run.view.inputs,
      scope: this.scope(),
      cancelSignal: this.run.signal,
      log(level, message) {
        recordLog(run, node.id, level, message);
      },
      callTool(toolInput, item) {
        // Each map item is its own side effect: its own idempotency key, stable across resumes.
        const key = item ? `${run.spec.runId}:${node.id}:${generation}/item${item.index}` : undefined;
        let gate: Promise<void> | undefined;
        try {
          gate = run.policy.check(spec!, toolInput, node.id);
        } catch (e) {
          return Promise.reject(e);
        }
        // An allowed tool is called in this very turn: no hop through a resolved promise per node.
        if (!gate) return callOnce(spec!, toolInput, node, generation, item?.signal, key);
        return gate.then(() => callOnce(spec!, toolInput, node, generation, item?.signal, key));
      },
    });
  }

  /** One tool call under its own deadline, aborted by the run's cancel and by `parent`. */
  private async call(spec: ToolSpec, input: unknown, node: WorkflowNode, generation: number, parent?: AbortSignal, idempotencyKey?: string) {
    const deadline = new Deadline(node.timeoutMs ?? spec.timeoutMs ?? DEFAULT_TIMEOUT_MS, spec.name, node.id);
    this.activeCalls.add(deadline);
    if (this.run.cancelled) deadline.abort(this.run.signal.reason);
    const onParentAbort = parent ? () => deadline.abort(parent.reason) : undefined;
    if (parent?.aborted) onParentAbort!();
    else if (parent) parent.addEventListener('abort', onParentAbort!, { once: true });
    try {
      const executor = this.run.deps.executor ?? inProcessExecutor;
      return await deadline.race(executor.execute(spec, input, new CallContext(this.run, this.callOnce, node, generation, deadline, idempotencyKey)));
    } catch (e) {
      throw deadline.aborted ? deadline.reason : e;
    } finally {
      deadline.clear();
      this.activeCalls.delete(deadline);
      if (parent) parent.removeEventListener('abort', onParentAbort!);
    }
  }

  private async review(node: WorkflowNode, output: unknown) {
    try {
      return await reviewOutput(node.acceptance!, output, this.run.deps.judge, this.run.signal);
    } catch (e) {
      if (this.run.cancelled) throw e;
      // An unavailable judge must not fail finished work: the rule checks already passed.
      recordLog(this.run, node.id, 'warn', `the LLM judge could not review the output (${classifyError(e).message}); accepted on the rule checks alone`);
      return { pass: true, reasons: [], judge: 'rules' as const };
    }
  }

  private fail(id: string, error: NodeError): void {
    this.status(id, 'failed', { error: plainError(error) });
  }

  private status(id: string, status: NodeStatusChange, details: StatusDetails): void {
    this.run.status(id, status, details);
  }
}

/**
 * What a tool call sees (ToolContext): a class, so a call costs one small object. An
 * object literal with getters and a closure per method cost about a kilobyte per node.
 */
class CallContext implements ToolContext {
  readonly idempotencyKey: string;
  readonly runId: string;
  readonly nodeId: string;
  readonly workspaceDir: string;
  readonly llm: LlmChatClient | undefined;
  private nestedCalls = 0;

  constructor(
    private readonly run: RunContext,
    private readonly invoke: NodeRunner['callOnce'],
    private readonly node: WorkflowNode,
    private readonly generation: number,
    private readonly deadline: Deadline,
    key: string | undefined,
  ) {
    const { runId, workspaceDir } = run.spec;
    this.runId = runId;
    this.nodeId = node.id;
    this.idempotencyKey = key ?? `${runId}:${node.id}:${generation}`;
    this.workspaceDir = workspaceDir;
    this.llm = run.deps.llm;
  }

  /** The deadline makes its AbortController only for tools that look. */
  get signal(): AbortSignal {
    return this.deadline.signal;
  }

  /** When the deadline passes (epoch ms): a remote worker aborts the tool then too. */
  get deadlineAt(): number {
    return this.deadline.expiresAt;
  }

  get artifacts(): ArtifactSink {
    return this.run.deps.artifactsFor(this.nodeId);
  }

  log(level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: unknown): void {
    recordLog(this.run, this.nodeId, level, message, data);
  }

  reportUsage(usage: Partial<Usage>, model?: string): void {
    const promptTokens = usage.promptTokens ?? 0;
    const completionTokens = usage.completionTokens ?? 0;
    const price = this.run.deps.price;
    const costUsd = usage.costUsd ?? (model && price ? price(model, promptTokens, completionTokens) : 0);
    this.run.emit({
      type: 'node.usage',
      nodeId: this.nodeId,
      usage: { promptTokens, completionTokens, costUsd },
      ...(model ? { model } : {}),
    });
  }

  requestApproval(message: string, details?: { tool?: string; input?: unknown }): Promise<PersonAnswer> {
    return paused(this.deadline, () => this.run.desk.ask(this.nodeId, { message, tool: details?.tool, input: details?.input }));
  }

  async callTool(name: string, input: unknown): Promise<unknown> {
    const inner = this.run.deps.tools.get(name);
    if (!inner) throw permanent('UNKNOWN_TOOL', `tool "${name}" is not registered`);
    await paused(this.deadline, async () => this.run.policy.check(inner, input, this.nodeId));
    // Nested calls (agent.run) get keys of their own, numbered in call order.
    const nestedKey = `${this.idempotencyKey}/call${++this.nestedCalls}`;
    return (await this.invoke(inner, input, { ...this.node, timeoutMs: undefined }, this.generation, this.deadline.signal, nestedKey)).output;
  }

  describeTool(name: string): { name: string; description: string; inputSchema: Record<string, unknown> } | undefined {
    const spec = this.run.deps.tools.get(name);
    if (!spec) return undefined;
    return { name: spec.name, description: spec.description, inputSchema: spec.inputJsonSchema ?? inputSchemaOf(spec) };
  }
}

/** Records a node's log line: cut when very long; data that cannot be recorded is named, not kept. */
function recordLog(run: RunContext, nodeId: string, level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: unknown): void {
  // A log line is worth keeping even when what a tool attached to it is not recordable.
  if (message.length > LOG_MESSAGE_CHARS) message = `${message.slice(0, LOG_MESSAGE_CHARS)}…[${message.length - LOG_MESSAGE_CHARS} more characters not recorded]`;
  if (data !== undefined) {
    const check = measureRecorded(data, run.maxRecordedChars);
    if (!check.ok) {
      data = undefined;
      message += check.tooLarge ? ` [data not recorded: at least ${check.atLeastChars} characters as JSON]` : ` [data not recorded: ${check.reason}]`;
    }
  }
  run.emit({ type: 'node.log', nodeId, level, message, ...(data !== undefined ? { data } : {}) });
}

/** Runs `fn` with the call's clock stopped: a person's answer does not eat the tool's time. */
async function paused<T>(deadline: Deadline, fn: () => Promise<T>): Promise<T> {
  deadline.pause();
  try {
    return await fn();
  } finally {
    deadline.resume();
  }
}

function plainError(e: NodeError & { retryAfterMs?: number }): NodeError {
  return e.code === undefined ? { class: e.class, message: e.message } : { class: e.class, code: e.code, message: e.message };
}

/** The model an llm/agent node will use: part of its cache key. */
function modelOf(node: WorkflowNode, input: unknown, configured: string | undefined): string | undefined {
  if (!kindInfo(node.kind).usesModel) return undefined;
  const model = (input as { model?: unknown }).model;
  return typeof model === 'string' ? model : configured;
}

const schemaCache = new WeakMap<ToolSpec, Record<string, unknown>>();
function inputSchemaOf(spec: ToolSpec): Record<string, unknown> {
  let schema = schemaCache.get(spec);
  if (!schema) {
    try {
      schema = z.toJSONSchema(spec.input, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
    } catch {
      schema = { type: 'object' };
    }
    schemaCache.set(spec, schema);
  }
  return schema;
}
