/**
 * TEST SUPPORT ONLY — an in-memory `Engine` that records every call, for the transport
 * tests (handlers, IPC). It runs a workflow by emitting `succeeded` for each node in
 * order; nothing here is imported by product code.
 */
import { Workflow, foldRun, issueLines } from '../contract';
import type { Artifact, EngineEvent, EngineEventBody, McpServerInfo, Problem, Run, Settings } from '../contract';
import type { Engine, RunHandle } from '../engine/types';
import type { ValidWorkflow } from '../engine/workflow/valid';
import { checkWorkspaceFolder } from '../engine/runs/workspaces';
import { EngineError } from '../engine/errors';
import { TeamServers } from '../engine/settings/team-servers';

function recorded<T extends object>(target: T, record: (method: string, args: unknown[]) => void): T {
  return new Proxy(target, {
    get(t, key, receiver) {
      const value = Reflect.get(t, key, receiver);
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      return (...args: unknown[]) => (record(key, args), value.apply(t, args));
    },
  });
}

function memoryKeyValue() {
  const values = new Map<string, unknown>();
  return { get: (key: string): any => values.get(key), set: (key: string, value: unknown) => void (value === undefined ? values.delete(key) : values.set(key, value)) };
}

export interface EngineDouble extends Engine {
  calls: { method: string; args: unknown[] }[];
  /** Appends events to a run and notifies subscribers (one batch). */
  emit(runId: string, bodies: EngineEventBody[]): EngineEvent[];
  addArtifact(runId: string, name: string, mime: string, path: string, size: number): Artifact;
}

export function createEngineDouble(dataDir = '/tmp/awe-engine-double'): EngineDouble {
  const calls: { method: string; args: unknown[] }[] = [];
  const workflows = new Map<string, Workflow>();
  const runs = new Map<string, Run>();
  const events = new Map<string, EngineEvent[]>();
  const artifacts = new Map<string, { artifact: Artifact; path: string }>();
  const listeners = new Set<(batch: EngineEvent[]) => void>();
  let servers: McpServerInfo[] = [];
  let settings: Settings = { llm: { apiKeySet: false }, planner: 'auto', allowTools: [], prices: {}, observability: { source: 'off', otlpHeadersSet: false } };
  let runCounter = 0;
  const workspaces = new Map<string, string>();
  const workspaceOf = (workflowId: string) => {
    const chosen = workspaces.get(workflowId);
    return chosen ? { path: chosen, isDefault: false } : { path: `${dataDir}/workspaces/Samples`, isDefault: true };
  };

  const record = (method: string, ...args: unknown[]) => calls.push({ method, args });

  const emit = (runId: string, bodies: EngineEventBody[]): EngineEvent[] => {
    const log = events.get(runId) ?? [];
    events.set(runId, log);
    const batch = bodies.map((b, i) => ({ ...b, runId, seq: log.length + i + 1, ts: Date.now() }) as EngineEvent);
    log.push(...batch);
    for (const l of listeners) l(batch);
    return batch;
  };

  const validate = (doc: unknown) => {
    const parsed = Workflow.safeParse(doc);
    if (!parsed.success) {
      return { ok: false as const, problems: issueLines(parsed.error.issues, '').map((l): Problem => ({ code: 'schema', message: `${l.path || '(document)'}: ${l.message}`, path: l.path || undefined })) };
    }
    const ids = new Set(parsed.data.nodes.map((n) => n.id));
    const problems: Problem[] = parsed.data.edges
      .filter((e) => !ids.has(e.source) || !ids.has(e.target))
      .map((e) => ({ code: 'dangling-edge', message: `edge ${e.id} points at a missing node`, edgeId: e.id }));
    // Stands in for the engine's own check: what it finds runnable is a ValidWorkflow.
    return problems.length === 0 ? { ok: true as const, problems, workflow: parsed.data as ValidWorkflow } : { ok: false as const, problems, workflow: parsed.data };
  };

  const finishedHandle = (runId: string): RunHandle => ({ runId, done: Promise.resolve(foldRun(runId, events.get(runId) ?? [])) });

  const engine: EngineDouble = {
    dataDir,
    calls,
    emit,
    addArtifact(runId, name, mime, path, size) {
      const artifact: Artifact = { id: `a${artifacts.size + 1}`, runId, nodeId: 'n', name, mime, size, sha256: '0'.repeat(64), createdAt: 1 };
      artifacts.set(artifact.id, { artifact, path });
      return artifact;
    },
    validate(doc) {
      record('validate', doc);
      return validate(doc);
    },
    saveWorkflow(wf) {
      record('saveWorkflow', wf);
      const prev = workflows.get(wf.id);
      const saved = { ...wf, version: prev ? prev.version + 1 : wf.version };
      workflows.set(wf.id, saved);
      return saved;
    },
    getWorkflow: (id) => (record('getWorkflow', id), workflows.get(id)),
    listWorkflows: () => (
      record('listWorkflows'),
      [...workflows.values()].map((w) => ({ id: w.id, name: w.name, version: w.version, nodeCount: w.nodes.length, updatedAt: 1 }))
    ),
    deleteWorkflow: (id) => (record('deleteWorkflow', id), workflows.delete(id)),
    async plan(goal, options) {
      record('plan', goal, options);
      const workflow = Workflow.parse({
        id: 'planned',
        name: goal.slice(0, 50),
        goal,
        nodes: [{ id: 'say', kind: 'tool', tool: 'text.template', inputs: { template: goal } }],
      });
      return { workflow, planner: 'offline', explanation: 'one template node' };
    },
    startRun(workflow, options) {
      record('startRun', workflow, options);
      const runId = `run${++runCounter}`;
      runs.set(runId, { id: runId, workflowId: workflow.id, snapshot: workflow, status: 'running', inputs: options?.inputs ?? {}, startedAt: 1, finishedAt: null });
      emit(runId, [{ type: 'run.started', workflowId: workflow.id, inputs: options?.inputs ?? {}, nodeIds: workflow.nodes.map((n) => n.id) }]);
      emit(
        runId,
        workflow.nodes.map((n) => ({ type: 'node.status', nodeId: n.id, status: 'succeeded', generation: 0, attempt: 1 }) as EngineEventBody),
      );
      emit(runId, [{ type: 'run.finished', status: 'succeeded' }]);
      runs.set(runId, { ...runs.get(runId)!, status: 'succeeded', finishedAt: 2 });
      return finishedHandle(runId);
    },
    cancelRun: (runId) => void record('cancelRun', runId),
    rerunNode(runId, nodeId, options) {
      record('rerunNode', runId, nodeId, options);
      emit(runId, [
        { type: 'node.rerun', nodeId, mode: options?.mode ?? 'downstream', nodes: [nodeId] },
        { type: 'node.status', nodeId, status: 'succeeded', generation: 1, attempt: 1, reason: 'rerun' },
        { type: 'run.finished', status: 'succeeded' },
      ]);
      return finishedHandle(runId);
    },
    retryFailed: (runId) => (record('retryFailed', runId), finishedHandle(runId)),
    resumeRuns: (runId) => (record('resumeRuns', runId), runId ? [finishedHandle(runId)] : []),
    approve: (...args) => void record('approve', ...args),
    waitForRun: async (runId) => foldRun(runId, events.get(runId) ?? []),
    runView: (runId) => (runs.has(runId) ? foldRun(runId, events.get(runId) ?? []) : undefined),
    getRun: (runId) => (record('getRun', runId), runs.get(runId)),
    listRuns: (filter) => (
      record('listRuns', filter),
      [...runs.values()].map((r) => ({ runId: r.id, workflowId: r.workflowId, status: r.status, startedAt: r.startedAt, finishedAt: r.finishedAt }))
    ),
    nodeRuns: (runId) => (record('nodeRuns', runId), []),
    events: (runId, afterSeq = 0, limit) => {
      record('events', runId, afterSeq, limit);
      const all = (events.get(runId) ?? []).filter((e) => e.seq > afterSeq);
      return limit ? all.slice(0, limit) : all;
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    listTools: async () => (
      record('listTools'),
      [{ name: 'text.template', title: 'Template', description: 'fills a template', effects: 'pure', source: 'builtin', version: '1', inputSchema: {}, needsApproval: false }]
    ),
    listMcpServers: () => (record('listMcpServers'), servers),
    importMcpServers(text) {
      record('importMcpServers', text);
      const parsed = JSON.parse(text) as { mcpServers: Record<string, { command?: string; url?: string }> };
      servers = Object.entries(parsed.mcpServers).map(([name, c]) => ({ name, commandLine: c.command ?? c.url ?? '', approved: false, status: 'unapproved', tools: [] }));
      return servers;
    },
    approveMcpServer: (name) => (record('approveMcpServer', name), servers.map((s) => (s.name === name ? { ...s, approved: true, status: 'idle' } : s))),
    removeMcpServer: (name) => (record('removeMcpServer', name), (servers = servers.filter((s) => s.name !== name))),
    listArtifacts: (runId) => (record('listArtifacts', runId), [...artifacts.values()].filter((a) => a.artifact.runId === runId).map((a) => a.artifact)),
    getArtifact: (id) => (record('getArtifact', id), artifacts.get(id)?.artifact),
    artifactPath(id) {
      const a = artifacts.get(id);
      if (!a) throw new EngineError('not-found', `artifact ${id} not found`);
      return a.path;
    },
    exportRunBundle: async (runId) => (record('exportRunBundle', runId), new Uint8Array([0x50, 0x4b, 3, 4])),
    importRunBundle: (bytes, o) => (record('importRunBundle', bytes.byteLength, o?.fileName), Promise.resolve({ runId: 'r-imported', originalRunId: 'r-imported' })),
    workflowAllowRequest: (workflow) => (record('workflowAllowRequest', workflow.id), { requested: workflow.settings.allowTools ?? [], approved: false }),
    approveWorkflowAllowRequest: (workflow, tools) => (record('approveWorkflowAllowRequest', workflow.id, tools), { requested: tools, approved: true }),
    workspaceOf: (workflowId) => (record('workspaceOf', workflowId), workspaceOf(workflowId)),
    chooseWorkspace(workflowId, path) {
      record('chooseWorkspace', workflowId, path);
      if (path.trim()) workspaces.set(workflowId, checkWorkspaceFolder(path));
      else workspaces.delete(workflowId);
      return workspaceOf(workflowId);
    },
    workspaceForRun: (workflowId) => (record('workspaceForRun', workflowId), workspaceOf(workflowId).path),
    // The real book of team servers over memory (it holds no engine state worth faking), its calls recorded.
    teamServers: recorded(new TeamServers(memoryKeyValue(), memoryKeyValue()), (method, args) => record(`teamServers.${method}`, ...args)),
    getSettings: () => (record('getSettings'), settings),
    updateSettings(update) {
      record('updateSettings', update);
      settings = {
        ...settings,
        ...(update.planner ? { planner: update.planner } : {}),
        llm: { ...settings.llm, model: update.llm?.model ?? settings.llm.model, apiKeySet: update.llm?.apiKey ? true : settings.llm.apiKeySet },
      };
      return settings;
    },
    close: async () => void record('close'),
  };
  return engine;
}
