/**
 * The API table implemented once (DESIGN.md §2). Electron IPC and the REST/WebSocket
 * server both call `dispatch`, so validation, error mapping and behaviour are the same
 * on every transport: the request is checked with the command's zod schema, the engine
 * is called, and the response is checked before it leaves.
 */
import { readFile, open } from 'node:fs/promises';
import { z } from 'zod';
import { api, ApiError, COMMAND_NAMES, formatIssues } from '../contract';
import { scorecard } from '../shared/scorecard';
import type { Api, CommandName, DispatchResult, Problem, Workflow } from '../contract';
import { EngineError, parseWorkflowJson, serializeWorkflow, type CheckedWorkflow, type Engine, type RunHandle, type ValidWorkflow } from '../engine';
import { problemSummary } from '../shared/problems';

/** What the transport can do with an exported file. */
export interface ExportPlatform {
  /** Desktop: show a save dialog and write the bytes; the chosen path, or null if cancelled. */
  exportFile?(fileName: string, bytes: Uint8Array): Promise<string | null>;
  /** Browser: a same-origin URL that downloads the artifact or run bundle. */
  downloadUrl?(kind: 'artifact' | 'run', id: string): string;
  /** Desktop: the native folder dialog; the chosen folder, or null if cancelled. */
  chooseFolder?(): Promise<string | null>;
}

export type { DispatchResult };

export interface Handlers {
  /** Runs one command. Never throws: every failure comes back as a typed ApiError. */
  dispatch(command: string, request: unknown): Promise<DispatchResult>;
  readonly commands: readonly CommandName[];
}

/** Thrown inside handlers to answer with a specific ApiError. */
export class ApiFailure extends Error {
  constructor(
    readonly code: ApiError['code'],
    message: string,
    readonly problems?: Problem[],
  ) {
    super(message);
    this.name = 'ApiFailure';
  }
}

/** Artifact previews stop here unless the caller asks for less. */
const DEFAULT_PREVIEW_BYTES = 256 * 1024;
const TEXT_MIME = /^(text\/|application\/(json|xml|javascript|x-ndjson|csv|yaml|x-yaml)|image\/svg\+xml)/;

/** Zod issues in words, one per field: `goal: must not be empty`. */
export function describeZodIssues(error: z.ZodError): string {
  return formatIssues(error.issues, '', 20, '(request)');
}

/**
 * Maps anything a handler or the engine threw to the ApiError a client receives, by
 * type: the engine's own errors keep their code and problems, a file that is not there
 * is not-found, and anything else is an internal error with its message.
 */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiFailure || err instanceof EngineError) {
    return { code: err.code, message: err.message, ...(err.problems ? { problems: err.problems } : {}) };
  }
  if (err instanceof z.ZodError) return { code: 'bad-request', message: describeZodIssues(err) };
  const message = err instanceof Error && err.message ? err.message : String(err);
  // An artifact file removed behind the store's back.
  if ((err as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') return { code: 'not-found', message };
  return { code: 'internal', message };
}

type Impl = { [C in CommandName]: (request: z.output<Api[C]['request']>) => unknown };

export function createHandlers(engine: Engine, platform: ExportPlatform = {}): Handlers {
  const requireRun = (runId: string) => {
    const run = engine.getRun(runId);
    if (!run) throw new ApiFailure('not-found', `No run with id "${runId}".`);
    return run;
  };
  const requireWorkflow = (id: string) => {
    const wf = engine.getWorkflow(id);
    if (!wf) throw new ApiFailure('not-found', `No saved workflow with id "${id}".`);
    return wf;
  };
  const requireArtifact = (id: string) => {
    const artifact = engine.getArtifact(id);
    if (!artifact) throw new ApiFailure('not-found', `No artifact with id "${id}".`);
    return artifact;
  };
  const runnable = (result: CheckedWorkflow): ValidWorkflow => {
    if (!result.ok) {
      throw new ApiFailure('invalid-workflow', `The workflow has ${problemSummary(result.problems)}`, result.problems);
    }
    return result.workflow;
  };
  const requireValid = (doc: unknown): ValidWorkflow => runnable(engine.validate(doc));
  /** Large documents are checked on a worker thread (bounded in time): the server keeps answering meanwhile. */
  const checkOffThread = (doc: unknown) => (engine.validateOffThread ? engine.validateOffThread(doc) : Promise.resolve(engine.validate(doc)));
  const requireValidOffThread = async (doc: unknown): Promise<ValidWorkflow> => runnable(await checkOffThread(doc));
  // A run's `done` rejects when the run fails; the transports report failure through
  // events, so the rejection is observed here instead of crashing the process.
  const detach = (handle: RunHandle) => {
    handle.done.catch(() => undefined);
    return handle;
  };
  const exportBytes = async (kind: 'artifact' | 'run', id: string, fileName: string, bytes: () => Promise<Uint8Array>) => {
    if (platform.exportFile) return { path: await platform.exportFile(fileName, await bytes()), fileName };
    if (platform.downloadUrl) return { url: platform.downloadUrl(kind, id), fileName };
    throw new ApiFailure('forbidden', 'This transport cannot export files.');
  };

  /** The document a permission command is about: the one given, else the saved one. */
  const workflowOf = (r: { workflowId?: string; workflow?: Workflow }): Workflow => {
    if (r.workflow) return requireValid(r.workflow);
    if (r.workflowId) return requireWorkflow(r.workflowId);
    throw new ApiFailure('bad-request', 'Give workflowId or workflow.');
  };

  const impl: Impl = {
    'workflows.allowRequest': (r) => engine.workflowAllowRequest(workflowOf(r)),
    'workflows.approveAllowRequest': (r) => engine.approveWorkflowAllowRequest(workflowOf(r), r.tools),
    'plan': async (r) => engine.plan(r.goal, { planner: r.planner, current: r.current }),
    'workflows.validate': async (r) => {
      // Large documents are checked on a worker thread: the server keeps answering meanwhile.
      const { ok, problems } = await checkOffThread(r.workflow);
      return { ok, problems };
    },
    'workflows.save': async (r) => {
      // A draft is saved as it is (the request schema already checked its shape); runs.start refuses it until fixed.
      if (!r.draft) return { workflow: engine.saveWorkflow(await requireValidOffThread(r.workflow)), problems: [] };
      const result = await checkOffThread(r.workflow);
      return { workflow: engine.saveWorkflow(result.workflow ?? runnable(result)), problems: result.problems };
    },
    'workflows.get': (r) => ({ workflow: requireWorkflow(r.id) }),
    'workflows.list': () => ({ workflows: engine.listWorkflows() }),
    'workflows.delete': (r) => {
      if (!engine.deleteWorkflow(r.id)) throw new ApiFailure('not-found', `No saved workflow with id "${r.id}".`);
      return { ok: true };
    },
    'workflows.import': async (r) => {
      // The same size, nesting and syntax checks as a file read from disk.
      const parsed = parseWorkflowJson(r.text);
      if (!parsed.ok) {
        const where = r.fileName ? ` in ${r.fileName}` : '';
        const say = (p: Problem) => (p.code === 'parse' ? `Not JSON${where}: ${p.message.replace(/^not valid JSON: /, '')}` : `Too large${where}: ${p.message}`);
        return { ok: false, problems: parsed.problems.map((p) => ({ ...p, message: say(p) })) };
      }
      // Lenient open: a document with the workflow's shape comes back even with problems,
      // so the person can fix it on the canvas; nothing is saved until they save.
      const result = await checkOffThread(parsed.doc);
      return result.workflow ? { ok: result.ok, workflow: result.workflow, problems: result.problems } : { ok: false, problems: result.problems };
    },
    'workflows.export': (r) => {
      const wf = r.workflow ?? (r.id !== undefined ? requireWorkflow(r.id) : undefined);
      if (!wf) throw new ApiFailure('bad-request', 'Give either `id` (a saved workflow) or `workflow` (a document).');
      // The one serializer the CLI uses too: `$schema` first, so editors validate the file.
      return { text: serializeWorkflow(wf), fileName: `${wf.id}.awe.json` };
    },
    'runs.start': async (r) => {
      // Validated here, once: startRun takes the engine's ValidWorkflow without checking it again.
      let wf: ValidWorkflow;
      if (r.workflow) wf = await requireValidOffThread(r.workflow);
      else if (r.workflowId !== undefined) wf = await requireValidOffThread(requireWorkflow(r.workflowId));
      else throw new ApiFailure('bad-request', 'Give either `workflowId` (a saved workflow) or `workflow` (a document) to run.');
      const workspaceDir = engine.workspaceForRun(wf.id);
      return { runId: detach(engine.startRun(wf, { inputs: r.inputs, allow: r.allow, workspaceDir })).runId };
    },
    'workspaces.get': (r) => engine.workspaceOf(r.workflowId),
    'workspaces.set': (r) => engine.chooseWorkspace(r.workflowId, r.path),
    'workspaces.browse': async () => {
      if (!platform.chooseFolder) throw new ApiFailure('forbidden', 'There is no folder dialog here: type the folder’s path instead.');
      return { path: await platform.chooseFolder() };
    },
    'runs.cancel': (r) => {
      requireRun(r.runId);
      engine.cancelRun(r.runId);
      return { ok: true };
    },
    'runs.rerunNode': (r) => {
      const run = requireRun(r.runId);
      if (!run.snapshot.nodes.some((n) => n.id === r.nodeId)) {
        throw new ApiFailure('not-found', `Run "${r.runId}" has no node "${r.nodeId}".`);
      }
      detach(engine.rerunNode(r.runId, r.nodeId, { mode: r.mode, inputs: r.inputs, ...(r.workflow ? { workflow: r.workflow } : {}) }));
      return { ok: true };
    },
    'runs.retryFailed': (r) => {
      requireRun(r.runId);
      detach(engine.retryFailed(r.runId, r.workflow ? { workflow: r.workflow } : undefined));
      return { ok: true };
    },
    'runs.resume': (r) => {
      if (r.runId !== undefined) requireRun(r.runId);
      return { runIds: engine.resumeRuns(r.runId).map((h) => detach(h).runId) };
    },
    'runs.approve': (r) => {
      requireRun(r.runId);
      engine.approve(r.runId, r.nodeId, r.approved, r.comment);
      return { ok: true };
    },
    'runs.list': (r) => ({ runs: engine.listRuns({ workflowId: r.workflowId, limit: r.limit }) }),
    'runs.get': (r) => ({
      run: requireRun(r.runId),
      nodeRuns: engine.nodeRuns(r.runId),
      events: engine.events(r.runId, 0),
      artifacts: engine.listArtifacts(r.runId),
    }),
    'runs.scorecard': (r) => scorecard(requireRun(r.runId), engine.events(r.runId, 0)),
    'runs.events': (r) => {
      requireRun(r.runId);
      return { events: engine.events(r.runId, r.afterSeq, r.limit) };
    },
    'tools.list': async () => ({ tools: await engine.listTools() }),
    'mcp.list': () => ({ servers: engine.listMcpServers() }),
    'mcp.import': (r) => ({ servers: engine.importMcpServers(r.text) }),
    'mcp.approve': (r) => ({ servers: engine.approveMcpServer(r.name) }),
    'mcp.remove': (r) => ({ servers: engine.removeMcpServer(r.name) }),
    'settings.get': () => engine.getSettings(),
    'settings.update': (r) => engine.updateSettings(r),
    'servers.list': () => ({ servers: engine.teamServers.list() }),
    'servers.save': (r) => ({ servers: engine.teamServers.save(r.url, r.token) }),
    'servers.remove': (r) => ({ servers: engine.teamServers.remove(r.url) }),
    'servers.credentials': (r) => engine.teamServers.credentials(r.url),
    'artifacts.list': (r) => {
      requireRun(r.runId);
      return { artifacts: engine.listArtifacts(r.runId) };
    },
    'artifacts.preview': async (r) => {
      const artifact = requireArtifact(r.artifactId);
      const limit = r.maxBytes ?? DEFAULT_PREVIEW_BYTES;
      const file = await open(engine.artifactPath(artifact.id), 'r');
      try {
        const buf = Buffer.alloc(Math.min(limit, artifact.size));
        const { bytesRead } = await file.read(buf, 0, buf.length, 0);
        const head = buf.subarray(0, bytesRead);
        const truncated = artifact.size > bytesRead;
        if (TEXT_MIME.test(artifact.mime)) return { artifact, text: head.toString('utf8'), truncated };
        if (artifact.mime.startsWith('image/') && !truncated) return { artifact, base64: head.toString('base64'), truncated };
        return { artifact, truncated };
      } finally {
        await file.close();
      }
    },
    'artifacts.export': async (r) => {
      const artifact = requireArtifact(r.artifactId);
      return exportBytes('artifact', artifact.id, artifact.name, async () => readFile(engine.artifactPath(artifact.id)));
    },
    'runs.export': async (r) => {
      requireRun(r.runId);
      return exportBytes('run', r.runId, `run-${r.runId}.zip`, () => engine.exportRunBundle(r.runId));
    },
    'runs.import': (r) => engine.importRunBundle(Buffer.from(r.bundle, 'base64'), r.fileName ? { fileName: r.fileName } : {}),
  };

  const known = new Set<string>(COMMAND_NAMES);

  return {
    commands: COMMAND_NAMES,
    async dispatch(command, request) {
      try {
        if (typeof command !== 'string' || !known.has(command)) {
          return { ok: false, error: { code: 'unknown-command', message: `Unknown command "${String(command)}". Known commands: ${COMMAND_NAMES.join(', ')}.` } };
        }
        const name = command as CommandName;
        const spec = api[name];
        const parsed = spec.request.safeParse(request ?? {});
        if (!parsed.success) {
          return { ok: false, error: { code: 'bad-request', message: `Invalid request for ${name}: ${describeZodIssues(parsed.error)}` } };
        }
        const raw = await (impl[name] as (r: unknown) => unknown)(parsed.data);
        const checked = spec.response.safeParse(raw);
        if (!checked.success) {
          return { ok: false, error: { code: 'internal', message: `The engine's answer to ${name} does not match the API: ${describeZodIssues(checked.error)}` } };
        }
        return { ok: true, result: checked.data };
      } catch (err) {
        return { ok: false, error: toApiError(err) };
      }
    },
  };
}
