/**
 * `createEngine`: the facade the transports call (types.ts). It owns the store, the
 * event log, the tool registry (built-ins, extra tools, MCP tools), artifacts, settings
 * and the runs this process executes (RunSupervisor).
 */
import { mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import {
  revisedSnapshot,
  shapeChange,
  TERMINAL_RUN_STATUSES,
  type Problem,
  type RerunMode,
  type RunView,
  type Workflow,
  type WorkflowNode,
} from '../contract';
import { buildGraph, descendants } from '../shared/graph';
import { problemSummary } from '../shared/problems';
import { ArtifactFiles } from './runs/artifacts';
import { EventLog } from './runs/event-log';
import { timeSortableId } from './runs/ids';
import { costOf } from './tools/llm/client';
import { llmJudge } from './tools/llm/judge';
import { McpManager } from './tools/mcp/manager';
import { zipRunBundle } from './runs/bundle';
import { RunImports } from './runs/run-import';
import { effectiveRunInputs } from './workflow/inputs';
import { RunSupervisor } from './runs/supervisor';
import { Limiter } from './execution/limiter';
import { Store, type RunRecord } from './store/store';
import { storedRunView } from './store/run-view';
import { builtinTools } from './tools/builtins';
import { isAllowed, ToolRegistry } from './tools/registry';
import type { LlmChatClient, ToolSpec } from './tools/types';
import type { Engine, EngineOptions, RunHandle } from './types';
import { validatedGraph, validateWorkflow } from './workflow/validate';
import { ValidWorkflows, type CheckedWorkflow, type ValidWorkflow } from './workflow/valid';
import { WorkflowTrust } from './workflow/trust';
import { validateOffThread } from './workflow/validate-off-thread';
import { planGoal } from './planner';
import { fileSecretStore, SettingsService } from './settings/settings';
import type { KeyValue } from './settings/key-value';
import { readWorkflowFile } from './workflow/file';
import { serializeWorkflow } from '../shared/workflow-text';
import { Workspaces } from './runs/workspaces';
import { stderrLogger } from './observe/logger';
import { TeamServers } from './settings/team-servers';
import { badRequest, conflict, EngineError, isConflict, notFound } from './errors';
import { EngineMetrics } from './observe/metrics';
import { RunTracer } from './observe/tracing';
import { TracingSwitch } from './observe/tracing-switch';
import { inProcessExecutor } from './execution/executor';

/** Thrown for a workflow that cannot run; `problems` lists every reason (the transports show them). */
export class InvalidWorkflowError extends EngineError {
  constructor(problems: Problem[]) {
    super('invalid-workflow', `the workflow has ${problemSummary(problems)}`, { problems });
    this.name = 'InvalidWorkflowError';
  }
}

/** The in-process engine: the facade plus what only local callers (the CLI) need. */
export interface LocalEngine extends Engine {
  /** Reads, parses and validates a `*.awe.json` file (size, nesting and syntax checked before parsing). */
  readWorkflowFile(path: string): Promise<CheckedWorkflow>;
  /**
   * Waits while other processes hold leases on unfinished runs (`runId`: that run only) until each
   * lease lapses (its owner died: the run can be taken over now) or is renewed (its owner is alive).
   * `onWait` hears about each held run first. Resolves to the runs whose owner proved alive.
   */
  awaitRunOwners(runId?: string, onWait?: (runId: string, lapsesInMs: number, pid: number | null) => void): Promise<string[]>;
}

export function createEngine(options: EngineOptions): LocalEngine {
  const dataDir = resolve(options.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const logger = options.logger ?? stderrLogger;
  const store = Store.open(dataDir, logger);
  const log = new EventLog(store, Date.now, logger);
  const artifacts = new ArtifactFiles(dataDir, store, (runId, body) => log.emit(runId, body));
  const snapshotOf = (runId: string): Workflow | undefined => {
    // A run executing here has its snapshot in memory: reading the stored one parses the whole document again.
    const live = supervisor.workflow(runId);
    if (live) return live;
    try {
      return store.runRecord(runId)?.run.snapshot;
    } catch {
      return undefined; // an unreadable record: its nodes are labelled tool "unknown"
    }
  };
  const metrics = new EngineMetrics(snapshotOf);
  const stopMetrics = log.subscribe((batch) => metrics.observe(batch));
  /** Settings, trust, workspaces and team servers keep their keys in the store's settings table. */
  const storedSettings: KeyValue = { get: (key) => store.getSetting(key), set: (key, value) => store.setSetting(key, value) };
  const secrets = options.secrets ?? fileSecretStore(dataDir);
  const settings = new SettingsService(storedSettings, secrets);
  // Tracing only when configured (options.tracing, the OTEL_* environment or Settings): otherwise nothing is created.
  const tracing = new TracingSwitch((spanProcessors) => new RunTracer({ spanProcessors }, snapshotOf, logger), (tracer) => log.tap((e) => tracer.onEvent(e)), logger);
  const applyTracing = () => {
    if (options.tracing === undefined) tracing.apply(settings.otlpTarget());
  };
  if (options.tracing) tracing.fixed(options.tracing);
  applyTracing();
  const registry = new ToolRegistry();
  for (const tool of [...builtinTools(), ...(options.extraTools ?? [])]) registry.register(tool);
  let mcp: McpManager;
  try {
    mcp = new McpManager({
      dataDir,
      configPath: options.mcpConfigPath,
      // Naming a config file on the command line is the person's approval of its servers.
      autoApprove: options.mcpConfigPath !== undefined,
      log: (level, message) => logger[level](`mcp: ${message}`),
      onRestart: (server) => metrics.mcpRestarted(server),
      onCallFailure: (server) => metrics.mcpCallFailed(server),
    });
  } catch (err) {
    store.close();
    throw err;
  }
  const imports = new RunImports(dataDir, store, artifacts, logger, options.bundleLimits);
  const trust = new WorkflowTrust(storedSettings);
  const workspaces = new Workspaces(dataDir, storedSettings, options.sampleWorkspaceDir);
  /** Documents this engine's validation found runnable (the very objects it returned): startRun takes them as they are. */
  const valid = new ValidWorkflows();
  const runnable = (workflow: Workflow): ValidWorkflow => {
    if (valid.has(workflow)) return workflow;
    const checked = valid.checked(validateWorkflow(workflow, registry));
    if (!checked.ok) throw new InvalidWorkflowError(checked.problems);
    return checked.workflow;
  };
  const llm = (): LlmChatClient | undefined => options.llm ?? settings.llmClient();
  const globalLimiter = new Limiter(options.globalConcurrency ?? 16);
  const engineAllow = options.allow ?? [];

  const executor = tracing.wrapExecutor(options.executor ?? inProcessExecutor);
  const supervisor = new RunSupervisor(store, log, artifacts, () => {
    const client = llm();
    return {
      tools: registry,
      globalLimiter,
      cache: {
        get: (key) => store.cacheGet(key),
        set: (key, output) => store.cacheSet(key, output),
      },
      interactive: options.interactive ?? false,
      executor,
      ...(client ? { llm: client, judge: (criteria, output, signal) => llmJudge(criteria, output, client, signal) } : {}),
      price: (model, promptTokens, completionTokens) => costOf(model, promptTokens, completionTokens, settings.llmConfig().prices),
      isAllowed: (name, runAllow, workflowAllow) =>
        isAllowed(name, engineAllow) || isAllowed(name, settings.get().allowTools) || isAllowed(name, runAllow) || isAllowed(name, workflowAllow),
      workflowAllow: (workflow) => trust.granted(workflow),
    };
  }, options.lease, logger);

  /** MCP servers' tools as `mcp.<server>.<tool>`, replacing what an earlier listing of those servers registered. */
  const mcpSources = new Set<string>();
  const registerMcpTools = (specs: ToolSpec[], servers?: readonly string[]): void => {
    for (const source of [...mcpSources]) {
      if (servers && !servers.includes(source)) continue;
      registry.unregisterSource(source);
      mcpSources.delete(source);
    }
    for (const spec of specs) {
      if (registry.has(spec.name)) continue;
      registry.register(spec);
      mcpSources.add(spec.source ?? spec.name);
    }
  };
  /** Lists (starting if their list is unknown, bounded) every approved server, or `servers`. */
  const refreshMcpTools = async (servers?: readonly string[]): Promise<void> => {
    if (mcp.servers().length === 0) return;
    registerMcpTools(await mcp.tools(servers), servers);
  };
  // Lists known from earlier commands: validation and runs need no server started for them.
  registerMcpTools(mcp.knownToolsOfAll());
  /** Approved servers a validation found unknown tools of (`mcp.<server>.…`): their lists are not known yet. */
  const mcpServersToList = (problems: readonly Problem[]): string[] => {
    const approved = new Set(mcp.servers().filter((s) => s.approved).map((s) => s.name));
    const names = new Set<string>();
    for (const p of problems) {
      const server = p.code === 'unknown-tool' ? /unknown tool "mcp\.([^".]+)\./.exec(p.message)?.[1] : undefined;
      if (server && approved.has(server) && !mcp.knownTools(server)) names.add(server);
    }
    return [...names];
  };

  const requireRun = (runId: string): RunRecord => {
    const record = store.runRecord(runId);
    if (!record) throw notFound(`no run with id "${runId}"`);
    return record;
  };
  /** A run this engine may execute again: not one imported from a bundle (its tools, files and workspace are elsewhere). */
  const requireOwnRun = (runId: string): RunRecord => {
    const record = requireRun(runId);
    const from = record.run.importedFrom;
    if (from) throw conflict(`run ${runId} was imported${from.fileName ? ` from ${from.fileName}` : ''} (run ${from.originalRunId}${from.host ? ` on ${from.host}` : ''}); it is read-only here: rerun it where it was made`);
    return record;
  };

  const runView = (runId: string): RunView | undefined => supervisor.view(runId) ?? storedRunView(store, runId);

  /**
   * The editor's definitions of the run's nodes, checked: the document must have the run's
   * graph (a rerun cannot add nodes or edges), and the run's graph with these definitions
   * must validate like any workflow, with every problem listed.
   */
  const editedDefinitions = (record: RunRecord, edited: Workflow, roots: readonly string[], mode: RerunMode): WorkflowNode[] => {
    const runId = record.run.id;
    const view = runView(runId);
    const current = revisedSnapshot(record.run.snapshot, view?.definitions ?? {});
    const change = shapeChange(current, edited);
    if (change) {
      throw conflict(`The graph changed since run ${runId} (${change}); a rerun keeps the run's graph, so Run the workflow to use the new one.`);
    }
    // Only the nodes the rerun runs take the editor's definition; an unfinished edit elsewhere does not block it.
    const graph = mode === 'only' ? undefined : buildGraph(current);
    const members = new Set(roots.flatMap((id) => (graph ? [id, ...descendants(graph, id)] : [id])));
    const byId = new Map(edited.nodes.filter((n) => members.has(n.id)).map((n) => [n.id, n]));
    const candidate: Workflow = { ...current, nodes: current.nodes.map((n) => byId.get(n.id) ?? n) };
    const checked = validateWorkflow(candidate, registry);
    if (!checked.ok || !checked.workflow) throw new InvalidWorkflowError(checked.problems);
    return checked.workflow.nodes.filter((n) => members.has(n.id));
  };

  /** Ends a run nobody executes (its process died) as cancelled, in its own event log. */
  const cancelOrphan = (record: RunRecord): void => {
    try {
      supervisor
        .takeOver(record, (execution) => {
          execution.cancel();
          return Promise.resolve(execution.view);
        })
        .done.catch(() => undefined);
    } catch (err) {
      // Claimed meanwhile by a process that resumed it: ask that one to stop.
      if (!isConflict(err)) throw err;
      store.requestCancel(record.run.id);
    }
    log.flush();
  };

  const engine: LocalEngine = {
    dataDir,

    async readWorkflowFile(path) {
      const first = await readWorkflowFile(path, registry);
      // Only servers this workflow names, and only when their tool list is not known: nothing else starts.
      const toList = mcpServersToList(first.problems);
      if (toList.length === 0) return valid.checked(first);
      await refreshMcpTools(toList).catch((err: Error) => logger.warn(`MCP tools unavailable: ${err.message}`));
      return valid.checked(await readWorkflowFile(path, registry));
    },

    validate: (doc) => valid.checked(validateWorkflow(doc, registry)),
    validateOffThread: async (doc) => valid.checked(await validateOffThread(doc, registry)),
    saveWorkflow: (workflow) => store.saveWorkflow(workflow),
    getWorkflow: (id) => store.getWorkflow(id),
    listWorkflows: () => store.listWorkflows(),
    deleteWorkflow: (id) => store.deleteWorkflow(id),

    async plan(goal, planOptions = {}) {
      await refreshMcpTools().catch((err: Error) => logger.warn(`MCP tools unavailable for planning: ${err.message}`));
      return planGoal(goal, {
        catalog: registry.infos(),
        llm: llm(),
        // The request's choice wins; otherwise the one the person made in Settings.
        planner: planOptions.planner ?? settings.get().planner,
        current: planOptions.current,
        signal: planOptions.signal,
        validate: (doc: unknown) => engine.validate(doc),
      });
    },

    startRun(workflow, runOptions = {}): RunHandle {
      // Validated once: a document this engine's validation returned as runnable is not checked again.
      const snapshot = runnable(workflow);
      // Typed once (defaults applied, `--input n=3` text typed as declared): the run's row and its `run.started` hold these.
      const { inputs, problems } = effectiveRunInputs(snapshot, runOptions.inputs ?? {});
      if (problems.length) throw badRequest(problems.join('; '));
      const runId = timeSortableId('r');
      const workspaceDir = runOptions.workspaceDir ? resolve(runOptions.workspaceDir) : join(dataDir, 'workspaces', runId);
      mkdirSync(workspaceDir, { recursive: true });
      const concurrency = runOptions.concurrency ?? snapshot.settings.concurrency ?? 8;
      const row = { id: runId, workflow: snapshot, inputs, concurrency, workspaceDir, allow: runOptions.allow, ownerPid: process.pid, startedAt: Date.now() };
      return supervisor.start(row, { runId, workflow: snapshot, graph: validatedGraph(snapshot), inputs, concurrency, workspaceDir }, runOptions.allow ?? []);
    },

    cancelRun(runId) {
      const record = requireRun(runId);
      if (supervisor.cancel(runId)) return;
      if (TERMINAL_RUN_STATUSES.includes(record.run.status)) return;
      if (supervisor.ownerAlive(record)) store.requestCancel(runId);
      else cancelOrphan(record);
    },

    rerunNode(runId, nodeId, rerunOptions = {}) {
      const record = requireOwnRun(runId);
      if (!record.run.snapshot.nodes.some((n) => n.id === nodeId)) throw notFound(`run ${runId} has no node "${nodeId}"`);
      const mode = rerunOptions.mode ?? 'downstream';
      const definitions = rerunOptions.workflow ? editedDefinitions(record, rerunOptions.workflow, [nodeId], mode) : undefined;
      return supervisor.rerun(record, nodeId, mode, rerunOptions.inputs, definitions);
    },

    retryFailed(runId, retryOptions = {}) {
      const record = requireOwnRun(runId);
      if (!retryOptions.workflow) return supervisor.retryFailed(record);
      const dead = runView(runId)?.deadLetters ?? [];
      return supervisor.retryFailed(record, editedDefinitions(record, retryOptions.workflow, dead, 'downstream'));
    },

    resumeRuns(runId) {
      if (runId !== undefined) {
        const record = requireRun(runId);
        if (TERMINAL_RUN_STATUSES.includes(record.run.status)) return [];
        return [supervisor.resume(record)];
      }
      const handles: RunHandle[] = [];
      for (const id of store.unfinishedRunIds()) {
        let record;
        try {
          record = store.runRecord(id);
        } catch (err) {
          // An unreadable record must not stop the other runs from resuming.
          handles.push(supervisor.failResume(id, err));
          continue;
        }
        if (!record || supervisor.ownerAlive(record)) continue;
        try {
          handles.push(supervisor.resume(record));
        } catch (err) {
          // Another process claimed it between our check and our claim: it resumes it.
          if (!isConflict(err)) throw err;
        }
      }
      return handles;
    },

    approve(runId, nodeId, approved, comment) {
      const record = requireRun(runId);
      const node = runView(runId)?.nodes[nodeId];
      if (!node) throw notFound(`run ${runId} has no node "${nodeId}"`);
      if (node.status !== 'waiting') {
        throw conflict(`node "${nodeId}" of run ${runId} is not waiting for approval (it is ${node.status})`);
      }
      store.decideApproval(runId, nodeId, approved, comment);
      if (supervisor.deliverApproval(runId, nodeId, approved, comment)) return;
      // A live owner elsewhere polls the decision; a dead one's run is finished here.
      if (!supervisor.ownerAlive(record)) supervisor.resume(record).done.catch(() => undefined);
    },

    async waitForRun(runId) {
      const pending = supervisor.waitForFinish(runId);
      if (pending) return pending;
      const view = runView(runId);
      if (!view) throw notFound(`no run with id "${runId}"`);
      return view;
    },
    runView,
    getRun: (runId) => store.getRun(runId),
    listRuns: (filter) => store.listRuns(filter),
    nodeRuns: (runId) => store.nodeRuns(runId),
    events: (runId, afterSeq, limit) => store.events(runId, afterSeq, limit),
    subscribe: (listener) => log.subscribe(listener),

    async listTools() {
      try {
        await refreshMcpTools();
      } catch (err) {
        logger.warn(`MCP tools unavailable: ${(err as Error).message}`);
      }
      return registry.infos();
    },
    listMcpServers: () => mcp.servers(),
    importMcpServers: (text) => {
      mcp.importConfig(text);
      return mcp.servers();
    },
    approveMcpServer: (name) => {
      mcp.approve(name);
      return mcp.servers();
    },
    removeMcpServer: (name) => {
      mcp.remove(name);
      for (const spec of registry.list()) if (spec.source === name && mcpSources.has(name)) registry.unregisterSource(name);
      return mcp.servers();
    },

    listArtifacts: (runId) => store.listArtifacts(runId).map(({ relPath: _r, ...a }) => a),
    getArtifact: (id) => {
      const stored = store.getArtifact(id);
      if (!stored) return undefined;
      const { relPath: _r, ...artifact } = stored;
      return artifact;
    },
    artifactPath(id) {
      const stored = store.getArtifact(id);
      if (!stored) throw notFound(`no artifact with id "${id}"`);
      return artifacts.pathOf(stored);
    },
    async exportRunBundle(runId) {
      const record = requireRun(runId);
      return zipRunBundle({
        run: record.run,
        exportedFrom: { host: hostname(), exportedAt: Date.now() },
        workflowText: serializeWorkflow(record.run.snapshot),
        events: store.events(runId),
        nodeRuns: store.nodeRuns(runId),
        artifacts: store.listArtifacts(runId).map((stored) => {
          const { relPath: _r, ...artifact } = stored;
          return { artifact, path: artifacts.pathOf(stored) };
        }),
      });
    },

    importRunBundle: (bytes, importOptions) => imports.import(bytes, importOptions),

    workflowAllowRequest: (workflow) => trust.request(workflow),
    approveWorkflowAllowRequest: (workflow, tools) => trust.approve(workflow, tools),
    workspaceOf: (workflowId) => workspaces.of(workflowId),
    chooseWorkspace: (workflowId, path) => workspaces.choose(workflowId, path),
    workspaceForRun: (workflowId) => workspaces.forRun(workflowId),

    metricsText: async () => ({ contentType: metrics.contentType, text: await metrics.text() }),
    getSettings: () => settings.get(),
    updateSettings: (update) => {
      const next = settings.update(update);
      applyTracing();
      return next;
    },
    teamServers: new TeamServers(storedSettings, secrets),

    async awaitRunOwners(runId, onWait) {
      const ids = runId !== undefined ? [runId] : store.unfinishedRunIds();
      const waits = ids.flatMap((id) => {
        const holder = supervisor.holder(id);
        if (!holder) return [];
        onWait?.(id, Math.max(0, holder.expiresAt - Date.now()), holder.pid);
        return [supervisor.awaitOwner(id).then((outcome) => (outcome === 'live' ? [id] : []))];
      });
      return (await Promise.all(waits)).flat();
    },

    async close() {
      if (adoptTimer) clearInterval(adoptTimer);
      supervisor.close();
      await imports.close();
      log.close();
      stopMetrics();
      await tracing.shutdown();
      await options.executor?.close?.();
      await mcp.close();
      store.close();
    },
  };

  /** Takes over runs whose owner's lease lapsed while this engine is open (`awe serve`). */
  const adoptOrphans = (): void => {
    for (const id of supervisor.lease.orphans()) {
      // Executed here (this process stalled past its lease): not an orphan.
      if (supervisor.view(id)) continue;
      const record = store.runRecord(id);
      if (!record) continue;
      try {
        // A cancel asked for while its owner was dead: honour it instead of resuming.
        if (record.cancelRequested) {
          cancelOrphan(record);
          continue;
        }
        const handle = supervisor.resume(record);
        logger.info(`adopted run ${id}: the process executing it stopped renewing its lease`);
        handle.done.catch((err: Error) => logger.error(`resuming run ${id} failed: ${err.message}`));
      } catch (err) {
        // Another process took it first: it executes it.
        if (!isConflict(err)) logger.error(`adopting run ${id} failed: ${(err as Error).message}`);
      }
    }
  };
  let adoptTimer: NodeJS.Timeout | undefined;
  if (options.adoptOrphans) {
    adoptTimer = setInterval(() => {
      try {
        adoptOrphans();
      } catch (err) {
        logger.error(`looking for orphaned runs failed: ${(err as Error).message}`);
      }
    }, supervisor.lease.timing.heartbeatMs);
    adoptTimer.unref();
  }

  if (options.resumeOnOpen) {
    for (const handle of engine.resumeRuns()) handle.done.catch((err: Error) => logger.error(`resuming run ${handle.runId} failed: ${err.message}`));
  }
  return engine;
}
