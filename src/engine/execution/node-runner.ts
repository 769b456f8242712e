/**
 * Executes one node of a run: resolves its templates, reuses a cached output or calls
 * its tool under a deadline, retries what the retry policy allows, lets the critic
 * judge the output, and emits every step as an event. The scheduler decides when.
 */
import { z } from 'zod';
import {
  type EngineEvent,
  type EngineEventBody,
  type NodeError,
  type RunReason,
  type RunView,
  type WorkflowNode,
} from '../../contract';
import { backoffDelay, shouldRetry, sleep } from './backoff';
import { cacheKey } from './cache-key';
import { DEFAULT_MAX_REWORK, feedbackText, reviewOutput } from './critic';
import { Deadline } from './deadline';
import { classifyError, permanent, ToolError } from '../errors';
import { KIND_RUNS } from '../kinds';
import { kindInfo, toolOf } from '../../shared/kinds';
import { asValueTooLarge, assertRecordable, DEFAULT_MAX_RECORDED_CHARS, measureRecorded } from './recorded-size';
import type { PolicyGate } from './policy';
import type { ExecutionDeps, RunSpec } from './scheduler';
import { resolveBindings, type TemplateScope } from '../workflow/templates';
import { inProcessExecutor } from './executor';
import type { ToolContext, ToolSpec } from '../tools/types';

/** Per-attempt deadline when neither the node nor the tool sets one. @default 60 s */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** A log message longer than this is cut when recorded. */
const LOG_MESSAGE_CHARS = 64 * 1024;

export interface NodeRunnerOptions {
  spec: RunSpec;
  deps: ExecutionDeps;
  /** The run's view: read here, changed only through `emit`. */
  view: RunView;
  policy: PolicyGate;
  emit(body: EngineEventBody): EngineEvent;
  cancelSignal(): AbortSignal;
  isCancelled(): boolean;
  prior?: EngineEvent[];
}

export class NodeRunner {
  private readonly nodes = new Map<string, WorkflowNode>();
  /** Outputs templates may reference: succeeded nodes only. Null prototype: ids like `constructor` are valid. */
  private outputs: Record<string, { output: unknown }> = Object.create(null);
  private readonly inputOverrides = new Map<string, Record<string, unknown>>();
  /** Attempts within each node's current generation (NodeRun.attempt). */
  private readonly attemptInGeneration = new Map<string, { generation: number; attempt: number }>();
  private readonly activeCalls = new Set<Deadline>();
  private waitingNodes = 0;
  private readonly random: () => number;

  constructor(private readonly o: NodeRunnerOptions) {
    for (const n of o.spec.workflow.nodes) this.nodes.set(n.id, n);
    this.random = o.deps.random ?? Math.random;
    for (const e of o.prior ?? []) {
      if (e.type === 'node.rerun' && e.inputs) this.inputOverrides.set(e.nodeId, e.inputs);
      if (e.type === 'node.definition') this.setDefinition({ ...e.node, id: e.nodeId });
      if (e.type === 'node.status' && e.status === 'running') {
        const seen = this.attemptInGeneration.get(e.nodeId);
        if (!seen || seen.generation !== e.generation || seen.attempt < e.attempt) this.attemptInGeneration.set(e.nodeId, { generation: e.generation, attempt: e.attempt });
      }
    }
  }

  kindOf(id: string): WorkflowNode['kind'] | undefined {
    return this.nodes.get(id)?.kind;
  }

  /** The definition the node runs with now (the snapshot's, or the latest a rerun gave it). */
  definitionOf(id: string): WorkflowNode | undefined {
    return this.nodes.get(id);
  }

  /** A rerun's edited definition replaces the node's, and any earlier input override with it. */
  setDefinition(node: WorkflowNode): void {
    this.nodes.set(node.id, node);
    this.inputOverrides.delete(node.id);
  }

  setInputOverride(id: string, inputs: Record<string, unknown>): void {
    this.inputOverrides.set(id, inputs);
  }

  rebuildOutputs(): void {
    this.outputs = Object.create(null);
    for (const [id, n] of Object.entries(this.o.view.nodes)) if (n.status === 'succeeded') this.outputs[id] = { output: n.output };
  }

  forgetOutput(id: string): void {
    delete this.outputs[id];
  }

  abortAll(reason: unknown): void {
    for (const d of this.activeCalls) d.abort(reason);
  }

  /** Runs the node to a terminal state (or `cancelled`); never rejects. */
  async execute(id: string, firstReason: RunReason): Promise<void> {
    const node = this.nodes.get(id)!;
    const generation = this.o.view.nodes[id].generation;
    if (this.o.isCancelled()) return;
    let reason = firstReason;
    let retries = 0;
    let reworks = 0;
    let feedback: string | undefined;
    let spec: ToolSpec | undefined;
    try {
      spec = this.toolFor(node);
    } catch (e) {
      this.status(id, 'running', { reason, attempt: this.nextAttempt(id, generation) });
      return this.fail(id, classifyError(e));
    }
    try {
      // Edited inputs replace the bindings they name, for this and later generations.
      const override = this.inputOverrides.get(id);
      const bindings = override ? { ...node.inputs, ...override } : node.inputs;
      for (;;) {
        let input: unknown;
        let key: string | undefined;
        try {
          input = this.resolveInput(node, bindings, feedback);
          // Checked before the input reaches the event log: one value too large to record fails this node only.
          assertRecordable(input, `node "${id}": its resolved input`, this.maxRecorded);
          if (spec && node.cache) {
            key = cacheKey({ tool: spec.name, version: spec.version, input, model: modelOf(node, input, this.o.deps.llm?.model) });
            const hit = this.o.deps.cache.get(key);
            if (hit) {
              this.o.emit({ type: 'node.output', nodeId: id, generation, output: hit.output, cached: true });
              this.outputs[id] = { output: hit.output };
              this.status(id, 'succeeded', { reason: 'cache' });
              return;
            }
          }
        } catch (e) {
          this.status(id, 'running', { reason, attempt: this.nextAttempt(id, generation) });
          return this.fail(id, classifyError(asValueTooLarge(e, `node "${id}": its resolved input`)));
        }
        this.status(id, 'running', { reason, input, attempt: this.nextAttempt(id, generation) });
        let result: { output: unknown; truncated: boolean };
        try {
          result = await this.perform(node, spec, input, generation);
        } catch (e) {
          if (this.o.isCancelled()) return this.status(id, 'cancelled', { detail: 'the run was cancelled' });
          const error = classifyError(e);
          if (!shouldRetry(error, node.retry, retries)) return this.fail(id, error);
          const delayMs = backoffDelay(retries, node.retry, this.random, error.retryAfterMs);
          const err = plainError(error);
          this.status(id, 'retrying', { error: err });
          this.o.emit({ type: 'node.retry', nodeId: id, attempt: this.currentAttempt(id), delayMs, error: err });
          try {
            await sleep(delayMs, this.o.cancelSignal());
          } catch {
            return this.status(id, 'cancelled', { detail: 'the run was cancelled' });
          }
          retries++;
          reason = 'retry';
          continue;
        }
        try {
          assertRecordable(result.output, `node "${id}": its output`, this.maxRecorded);
        } catch (e) {
          return this.fail(id, classifyError(e));
        }
        this.o.emit({ type: 'node.output', nodeId: id, generation, output: result.output, cached: false, ...(result.truncated ? { truncated: true } : {}) });
        if (node.acceptance) {
          const verdict = await this.review(node, result.output);
          this.o.emit({ type: 'node.verdict', nodeId: id, pass: verdict.pass, reasons: verdict.reasons, rework: reworks, judge: verdict.judge });
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
        if (key !== undefined) this.o.deps.cache.set(key, result.output);
        this.outputs[id] = { output: result.output };
        this.status(id, 'succeeded', {});
        return;
      }
    } catch (e) {
      // A bug here must still end the node, or the run would never finish.
      if (this.o.isCancelled()) return this.status(id, 'cancelled', { detail: 'the run was cancelled' });
      // An event the log refused (VALUE_TOO_LARGE / VALUE_NOT_JSON) keeps its own code.
      this.fail(id, e instanceof ToolError ? classifyError(e) : { ...classifyError(e), code: 'INTERNAL' });
    }
  }

  private toolFor(node: WorkflowNode): ToolSpec | undefined {
    if (kindInfo(node.kind).tool.uses === 'none') return undefined;
    const name = toolOf(node);
    if (!name) throw permanent('NO_TOOL', `node "${node.id}" (${node.kind}) names no tool`);
    const spec = this.o.deps.tools.get(name);
    if (!spec) throw permanent('UNKNOWN_TOOL', `node "${node.id}": tool "${name}" is not registered`);
    return spec;
  }

  private scope(): TemplateScope {
    return { nodes: this.outputs, input: this.o.view.inputs };
  }

  private resolveInput(node: WorkflowNode, bindings: Record<string, unknown>, feedback: string | undefined): unknown {
    const input = resolveBindings(bindings, this.scope()) as Record<string, unknown>;
    const model = this.o.spec.workflow.settings.model;
    if (kindInfo(node.kind).usesModel && model && input.model === undefined) input.model = model;
    if (feedback !== undefined) input._feedback = feedback;
    return input;
  }

  private perform(node: WorkflowNode, spec: ToolSpec | undefined, input: unknown, generation: number): Promise<{ output: unknown; truncated: boolean }> {
    return KIND_RUNS[node.kind]({
      node,
      input: input as Record<string, unknown>,
      runInputs: this.o.view.inputs,
      scope: this.scope(),
      cancelSignal: this.o.cancelSignal(),
      log: (level, message) => this.log(node.id, level, message),
      callTool: async (toolInput, item) => {
        await this.o.policy.check(spec!, toolInput, node.id);
        // Each map item is its own side effect: its own idempotency key, stable across resumes.
        const key = item ? `${this.o.spec.runId}:${node.id}:${generation}/item${item.index}` : undefined;
        return this.call(spec!, toolInput, node, generation, item?.signal, key);
      },
    });
  }

  /** One tool call under its own deadline, aborted by the run's cancel and by `parent`. */
  private async call(spec: ToolSpec, input: unknown, node: WorkflowNode, generation: number, parent?: AbortSignal, idempotencyKey?: string) {
    const deadline = new Deadline(node.timeoutMs ?? spec.timeoutMs ?? DEFAULT_TIMEOUT_MS, spec.name, node.id);
    this.activeCalls.add(deadline);
    if (this.o.isCancelled()) deadline.abort(this.o.cancelSignal().reason);
    const onParentAbort = parent ? () => deadline.abort(parent.reason) : undefined;
    if (parent?.aborted) onParentAbort!();
    else if (parent) parent.addEventListener('abort', onParentAbort!, { once: true });
    try {
      const executor = this.o.deps.executor ?? inProcessExecutor;
      return await deadline.race(executor.execute(spec, input, this.context(node, generation, deadline, idempotencyKey)));
    } catch (e) {
      throw deadline.aborted ? deadline.reason : e;
    } finally {
      deadline.clear();
      this.activeCalls.delete(deadline);
      if (parent) parent.removeEventListener('abort', onParentAbort!);
    }
  }

  private context(node: WorkflowNode, generation: number, deadline: Deadline, key?: string): ToolContext {
    const { deps, spec: run } = this.o;
    const nodeId = node.id;
    const idempotencyKey = key ?? `${run.runId}:${nodeId}:${generation}`;
    let nestedCalls = 0;
    const paused = async <T>(fn: () => Promise<T>): Promise<T> => {
      deadline.pause();
      try {
        return await fn();
      } finally {
        deadline.resume();
      }
    };
    return {
      // A getter: the deadline makes its AbortController only for tools that look.
      get signal() {
        return deadline.signal;
      },
      idempotencyKey,
      runId: run.runId,
      nodeId,
      workspaceDir: run.workspaceDir,
      get artifacts() {
        return deps.artifactsFor(nodeId);
      },
      llm: deps.llm,
      log: (level, message, data) => this.log(nodeId, level, message, data),
      reportUsage: (usage, model) =>
        this.o.emit({
          type: 'node.usage',
          nodeId,
          usage: { promptTokens: usage.promptTokens ?? 0, completionTokens: usage.completionTokens ?? 0, costUsd: usage.costUsd ?? 0 },
          ...(model ? { model } : {}),
        }),
      requestApproval: (message, details) => paused(() => this.askPerson(nodeId, { message, tool: details?.tool, input: details?.input })),
      callTool: async (name, input) => {
        const inner = deps.tools.get(name);
        if (!inner) throw permanent('UNKNOWN_TOOL', `tool "${name}" is not registered`);
        await paused(() => this.o.policy.check(inner, input, nodeId));
        // Nested calls (agent.run) get keys of their own, numbered in call order.
        const nestedKey = `${idempotencyKey}/call${++nestedCalls}`;
        return (await this.call(inner, input, { ...node, timeoutMs: undefined }, generation, deadline.signal, nestedKey)).output;
      },
      describeTool: (name) => {
        const spec = deps.tools.get(name);
        if (!spec) return undefined;
        return { name: spec.name, description: spec.description, inputSchema: spec.inputJsonSchema ?? inputSchemaOf(spec) };
      },
    };
  }

  /** Asks a person on behalf of a node: the node (and the run) show `waiting` until the answer. */
  async askPerson(nodeId: string, request: { message: string; tool?: string; input?: unknown }): Promise<{ approved: boolean; comment?: string }> {
    const { emit } = this.o;
    if (request.input !== undefined && !measureRecorded(request.input, this.maxRecorded).ok) {
      request = { ...request, input: undefined, message: `${request.message} (the tool's input is too large to show)` };
    }
    emit({ type: 'approval.requested', nodeId, message: request.message, ...(request.tool ? { tool: request.tool } : {}), ...(request.input !== undefined ? { input: request.input } : {}) });
    this.status(nodeId, 'waiting', {});
    if (++this.waitingNodes === 1) emit({ type: 'run.status', status: 'waiting', reason: 'approval' });
    let answer: { approved: boolean; comment?: string };
    try {
      answer = await this.o.deps.approvals.wait(nodeId, this.o.cancelSignal());
    } finally {
      this.waitingNodes--;
    }
    emit({ type: 'approval.resolved', nodeId, approved: answer.approved, ...(answer.comment ? { comment: answer.comment } : {}) });
    if (this.waitingNodes === 0 && !this.o.isCancelled()) emit({ type: 'run.status', status: 'running', reason: 'approval answered' });
    this.status(nodeId, 'running', {});
    return answer;
  }

  private async review(node: WorkflowNode, output: unknown) {
    try {
      return await reviewOutput(node.acceptance!, output, this.o.deps.judge, this.o.cancelSignal());
    } catch (e) {
      if (this.o.isCancelled()) throw e;
      // An unavailable judge must not fail finished work: the rule checks already passed.
      this.log(node.id, 'warn', `the LLM judge could not review the output (${classifyError(e).message}); accepted on the rule checks alone`);
      return { pass: true, reasons: [], judge: 'rules' as const };
    }
  }

  private log(nodeId: string, level: 'debug' | 'info' | 'warn' | 'error', message: string, data?: unknown): void {
    // A log line is worth keeping even when what a tool attached to it is not recordable.
    if (message.length > LOG_MESSAGE_CHARS) message = `${message.slice(0, LOG_MESSAGE_CHARS)}…[${message.length - LOG_MESSAGE_CHARS} more characters not recorded]`;
    if (data !== undefined) {
      const check = measureRecorded(data, this.maxRecorded);
      if (!check.ok) {
        data = undefined;
        message += check.tooLarge ? ` [data not recorded: at least ${check.atLeastChars} characters as JSON]` : ` [data not recorded: ${check.reason}]`;
      }
    }
    this.o.emit({ type: 'node.log', nodeId, level, message, ...(data !== undefined ? { data } : {}) });
  }

  private get maxRecorded(): number {
    return this.o.deps.maxRecordedChars ?? DEFAULT_MAX_RECORDED_CHARS;
  }

  private fail(id: string, error: NodeError): void {
    delete this.outputs[id];
    this.status(id, 'failed', { error: plainError(error) });
  }

  private status(
    id: string,
    status: 'running' | 'retrying' | 'waiting' | 'succeeded' | 'failed' | 'cancelled',
    extra: { reason?: RunReason; input?: unknown; error?: NodeError; detail?: string; attempt?: number },
  ): void {
    const generation = this.o.view.nodes[id].generation;
    const { attempt = this.currentAttempt(id), ...rest } = extra;
    this.o.emit({ type: 'node.status', nodeId: id, status, generation, attempt, ...rest });
  }

  private nextAttempt(id: string, generation: number): number {
    const seen = this.attemptInGeneration.get(id);
    const attempt = seen && seen.generation === generation ? seen.attempt + 1 : 1;
    this.attemptInGeneration.set(id, { generation, attempt });
    return attempt;
  }

  private currentAttempt(id: string): number {
    return this.attemptInGeneration.get(id)?.attempt ?? 0;
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
