/**
 * The one API table. Each command is declared once — name, request schema, response
 * schema — and from it come the preload's `window.awe` methods, the main process's
 * `ipcMain.handle` registrations and the WebSocket/REST server. DESIGN.md §2.
 */
import { z } from 'zod';
import { EngineEvent } from './events';
import { Artifact, NodeRun, RerunMode, Run, RunSummary } from './run';
import { Problem, Workflow } from './workflow';
import { Scorecard } from './scorecard';

export const ToolEffects = z.enum(['pure', 'read', 'write', 'network']);
export type ToolEffects = z.infer<typeof ToolEffects>;

/** A tool as the catalog, the palette and the planner see it. */
export const ToolInfo = z.object({
  name: z.string(),
  title: z.string(),
  description: z.string(),
  effects: ToolEffects,
  /** `builtin`, or the MCP server's name. */
  source: z.string(),
  version: z.string(),
  inputSchema: z.record(z.string(), z.unknown()),
  outputSchema: z.record(z.string(), z.unknown()).optional(),
  /** MCP annotations (readOnlyHint, destructiveHint, …) where the server gives them. */
  annotations: z.record(z.string(), z.unknown()).optional(),
  /** Whether the policy gate asks before this tool's first call in a run. */
  needsApproval: z.boolean(),
});
export type ToolInfo = z.infer<typeof ToolInfo>;

/** One entry of the `mcpServers` format used by Claude Desktop and other MCP clients. */
export const McpServerConfig = z.union([
  z.object({
    command: z.string().min(1),
    args: z.array(z.string()).default([]),
    env: z.record(z.string(), z.string()).optional(),
    cwd: z.string().optional(),
  }),
  z.object({ url: z.url(), headers: z.record(z.string(), z.string()).optional() }),
]);
export type McpServerConfig = z.infer<typeof McpServerConfig>;
export const McpConfigFile = z.object({ mcpServers: z.record(z.string(), McpServerConfig) });
export type McpConfigFile = z.infer<typeof McpConfigFile>;

export const McpServerInfo = z.object({
  name: z.string(),
  /** The exact command line (or URL) — shown verbatim for approval before first start. */
  commandLine: z.string(),
  approved: z.boolean(),
  status: z.enum(['idle', 'starting', 'ready', 'error', 'restarting', 'unapproved']),
  error: z.string().optional(),
  tools: z.array(z.string()),
});
export type McpServerInfo = z.infer<typeof McpServerInfo>;

export const Settings = z.object({
  llm: z.object({
    baseUrl: z.string().optional(),
    model: z.string().optional(),
    /** Never sent back: only whether one is set. */
    apiKeySet: z.boolean(),
  }),
  planner: z.enum(['auto', 'offline', 'llm']),
  allowTools: z.array(z.string()),
  /** USD per 1M tokens, per model. */
  prices: z.record(z.string(), z.object({ prompt: z.number(), completion: z.number() })),
  /** Where run traces go (OTLP/HTTP). The environment's OTEL_* variables win over Settings. */
  observability: z
    .object({
      /** The effective OTLP endpoint (traces go to its /v1/traces); absent when tracing is off. */
      otlpEndpoint: z.string().optional(),
      /** Who decides: Settings, the OTEL_* environment (`envVar` names the variable), or nobody (off). */
      source: z.enum(['settings', 'environment', 'off']),
      envVar: z.string().optional(),
      /** Never sent back: only whether headers (an auth header) are stored for the Settings endpoint. */
      otlpHeadersSet: z.boolean(),
    })
    .default({ source: 'off', otlpHeadersSet: false }),
});
export type Settings = z.infer<typeof Settings>;

export const SettingsUpdate = z.object({
  llm: z
    .object({
      baseUrl: z.string().optional(),
      model: z.string().optional(),
      /** Write-only. An empty string clears the key. */
      apiKey: z.string().optional(),
    })
    .optional(),
  planner: z.enum(['auto', 'offline', 'llm']).optional(),
  allowTools: z.array(z.string()).optional(),
  prices: z.record(z.string(), z.object({ prompt: z.number(), completion: z.number() })).optional(),
  observability: z
    .object({
      /** An http(s) URL such as http://127.0.0.1:4318; an empty string turns Settings' tracing off. */
      otlpEndpoint: z.string().max(2048).optional(),
      /**
       * Write-only, kept with the secrets: `name=value` pairs separated by commas, as in
       * OTEL_EXPORTER_OTLP_HEADERS (e.g. `authorization=Bearer abc`). An empty string clears them.
       */
      otlpHeaders: z.string().max(8192).optional(),
    })
    .optional(),
});
export type SettingsUpdate = z.infer<typeof SettingsUpdate>;

/** A team's `awe serve` this app can attach to; its token is kept with the secrets and never listed. */
export const TeamServer = z.object({
  /** The server's origin, e.g. `https://awe.team.example:8787`. */
  url: z.string(),
  tokenSet: z.boolean(),
});
export type TeamServer = z.infer<typeof TeamServer>;
const TeamServerUrl = z.string().trim().min(1).max(2048);

export const WorkflowDiff = z.object({
  added: z.array(z.string()),
  removed: z.array(z.string()),
  changed: z.array(z.string()),
  /** Nodes the person edited by hand that the new plan keeps. */
  kept: z.array(z.string()).default([]),
});
export type WorkflowDiff = z.infer<typeof WorkflowDiff>;

export const WorkflowSummary = z.object({
  id: z.string(),
  name: z.string(),
  goal: z.string().optional(),
  version: z.number(),
  nodeCount: z.number(),
  updatedAt: z.number(),
});
export type WorkflowSummary = z.infer<typeof WorkflowSummary>;

export const RunDetail = z.object({
  run: Run,
  nodeRuns: z.array(NodeRun),
  events: z.array(EngineEvent),
  artifacts: z.array(Artifact),
});
export type RunDetail = z.infer<typeof RunDetail>;

export const ArtifactPreview = z.object({
  artifact: Artifact,
  /** `text` for text-like mimes (cut at `truncated`), `base64` for images. */
  text: z.string().optional(),
  base64: z.string().optional(),
  truncated: z.boolean(),
});
export type ArtifactPreview = z.infer<typeof ArtifactPreview>;

/** A workflow's workspace folder (DESIGN.md §9): where its runs read and write files. */
export const WorkspaceInfo = z.object({
  /** Absolute path of the folder on the machine running the engine. */
  path: z.string(),
  /** True while the workflow uses the Samples workspace because no folder was chosen. */
  isDefault: z.boolean(),
});
export type WorkspaceInfo = z.infer<typeof WorkspaceInfo>;

const Empty = z.object({}).strict();
const Ok = z.object({ ok: z.literal(true) });

/** How a command's result is exported: a saved file (desktop) or a download URL (browser). */
export const ExportResult = z.object({
  /** Where the file was written (desktop save dialog), or null when the person cancelled. */
  path: z.string().nullable().optional(),
  /** A same-origin URL the browser downloads from. */
  url: z.string().optional(),
  fileName: z.string(),
});
export type ExportResult = z.infer<typeof ExportResult>;

function command<Req extends z.ZodType, Res extends z.ZodType>(request: Req, response: Res, doc: string) {
  return { request, response, doc };
}

/** The largest run bundle (zip) AWE imports, whichever way it comes: IPC, `POST /api/runs/import`, `awe import-run`. */
export const MAX_RUN_BUNDLE_BYTES = 64 * 1024 * 1024;
/** base64 of the largest bundle. */
const MAX_IMPORT_BASE64_CHARS = Math.ceil(MAX_RUN_BUNDLE_BYTES / 3) * 4;

export const api = {
  'plan': command(
    z.object({
      goal: z.string().min(1).max(10_000),
      planner: z.enum(['auto', 'offline', 'llm']).optional(),
      /** The graph on the canvas: replanning returns a diff against it. */
      current: Workflow.optional(),
    }),
    z.object({ workflow: Workflow, planner: z.enum(['offline', 'llm']), explanation: z.string(), diff: WorkflowDiff.optional() }),
    'Plan a goal into a workflow; with `current`, replan and return the diff.',
  ),
  'workflows.validate': command(
    z.object({ workflow: z.unknown() }),
    z.object({ ok: z.boolean(), problems: z.array(Problem) }),
    'Validate a workflow document; every problem is listed.',
  ),
  'workflows.save': command(
    z.object({
      workflow: Workflow,
      /** Keep a document with problems as a draft (the editor's Save): its problems come back, and it cannot run until fixed. @default false: refused with its problems */
      draft: z.boolean().optional(),
    }),
    z.object({ workflow: Workflow, problems: z.array(Problem).default([]) }),
    'Save (version bumped). With `draft`, a document with problems (unknown tools, cycles, bad references) is saved too and its problems come back, so work in progress is never lost; without it, such a document is refused.',
  ),
  'workflows.get': command(z.object({ id: z.string() }), z.object({ workflow: Workflow }), 'Load a saved workflow.'),
  'workflows.list': command(Empty, z.object({ workflows: z.array(WorkflowSummary) }), 'Saved workflows, newest first.'),
  'workflows.delete': command(z.object({ id: z.string() }), Ok, 'Delete a saved workflow (its runs stay).'),
  'workflows.import': command(
    z.object({ text: z.string().max(50 * 1024 * 1024), fileName: z.string().optional() }),
    z.object({ ok: z.boolean(), workflow: Workflow.optional(), problems: z.array(Problem) }),
    'Read an `*.awe.json` text without saving it. A workflow with problems (unknown tools, cycles, bad references) comes back as a draft with `ok: false`, its `workflow` and every problem; a text that is not a workflow at all comes back without `workflow`, saying why.',
  ),
  'workflows.export': command(
    z.object({ id: z.string().optional(), workflow: Workflow.optional() }),
    z.object({ text: z.string(), fileName: z.string() }),
    'Serialise a workflow as `*.awe.json` text.',
  ),
  'runs.start': command(
    z.object({
      workflowId: z.string().optional(),
      workflow: Workflow.optional(),
      inputs: z.record(z.string(), z.unknown()).default({}),
      allow: z.array(z.string()).optional(),
    }),
    z.object({ runId: z.string() }),
    'Start a run of a saved workflow or of the given document, in the workflow\'s workspace folder.',
  ),
  'workflows.allowRequest': command(
    z.object({ workflowId: z.string().optional(), workflow: Workflow.optional() }),
    z.object({ requested: z.array(z.string()), approved: z.boolean() }),
    'The tools a workflow\'s settings.allowTools asks to run without asking, and whether a person approved that request.',
  ),
  'workflows.approveAllowRequest': command(
    z.object({ workflowId: z.string().optional(), workflow: Workflow.optional(), tools: z.array(z.string()) }),
    z.object({ requested: z.array(z.string()), approved: z.boolean() }),
    'A person approves a workflow\'s allowTools request: `tools` is the list they were shown.',
  ),
  'workspaces.get': command(
    z.object({ workflowId: z.string().min(1).max(128) }),
    WorkspaceInfo,
    'The workspace folder of a workflow: the one chosen for it, or the Samples workspace.',
  ),
  'workspaces.set': command(
    z.object({ workflowId: z.string().min(1).max(128), path: z.string().max(4096) }),
    WorkspaceInfo,
    'Choose the workspace folder of a workflow (it must exist and be a folder); an empty path goes back to Samples.',
  ),
  'workspaces.browse': command(Empty, z.object({ path: z.string().nullable() }), 'Show the native folder dialog (desktop only); the chosen folder, or null if cancelled.'),
  'runs.cancel': command(z.object({ runId: z.string() }), Ok, 'Cancel a run: abort running tools, start nothing new.'),
  'runs.rerunNode': command(
    z.object({
      runId: z.string(),
      nodeId: z.string(),
      mode: RerunMode.default('downstream'),
      /** Replace the node's input bindings for this rerun. */
      inputs: z.record(z.string(), z.unknown()).optional(),
      /**
       * The document the person sees: the rerun nodes use its definitions of them (inputs,
       * retry, timeout, …). Its nodes and edges must be the run's; a new shape needs a Run.
       */
      workflow: Workflow.optional(),
    }),
    Ok,
    'Rerun one node of a finished run (only it, or it and downstream).',
  ),
  'runs.retryFailed': command(
    z.object({
      runId: z.string(),
      /** The document the person sees: the retried nodes use its definitions of them (as `runs.rerunNode`). */
      workflow: Workflow.optional(),
    }),
    Ok,
    'Rerun every dead letter of the run.',
  ),
  'runs.resume': command(z.object({ runId: z.string().optional() }), z.object({ runIds: z.array(z.string()) }), 'Resume interrupted runs.'),
  'runs.approve': command(
    z.object({ runId: z.string(), nodeId: z.string(), approved: z.boolean(), comment: z.string().max(10_000).optional() }),
    Ok,
    'Answer an approval request.',
  ),
  'runs.list': command(
    z.object({ workflowId: z.string().optional(), limit: z.number().int().min(1).max(1000).optional() }),
    z.object({ runs: z.array(RunSummary) }),
    'Runs, newest first.',
  ),
  'runs.get': command(z.object({ runId: z.string() }), RunDetail, 'A run with its snapshot, node runs, events and artifacts.'),
  'runs.scorecard': command(
    z.object({ runId: z.string() }),
    Scorecard,
    'A run\'s scorecard, computed from its events: outcome and failing node, wall time and critical path, approval wait, per-node latency, retries, tokens and cost by model, cache hits, artifacts with links.',
  ),
  'runs.events': command(
    z.object({ runId: z.string(), afterSeq: z.number().int().min(0).default(0), limit: z.number().int().min(1).max(100_000).optional() }),
    z.object({ events: z.array(EngineEvent) }),
    'Events of a run after a sequence number (catch-up after reconnect).',
  ),
  'tools.list': command(Empty, z.object({ tools: z.array(ToolInfo) }), 'The tool catalog: built-ins and MCP tools.'),
  'mcp.list': command(Empty, z.object({ servers: z.array(McpServerInfo) }), 'Configured MCP servers and their state.'),
  'mcp.import': command(
    z.object({ text: z.string().max(10 * 1024 * 1024) }),
    z.object({ servers: z.array(McpServerInfo) }),
    'Add servers from an `mcpServers` JSON text (they start unapproved).',
  ),
  'mcp.approve': command(z.object({ name: z.string() }), z.object({ servers: z.array(McpServerInfo) }), 'Approve a server’s command to start.'),
  'mcp.remove': command(z.object({ name: z.string() }), z.object({ servers: z.array(McpServerInfo) }), 'Remove a server.'),
  'settings.get': command(Empty, Settings, 'Current settings (the API key is never returned).'),
  'settings.update': command(SettingsUpdate, Settings, 'Update settings.'),
  'servers.list': command(Empty, z.object({ servers: z.array(TeamServer) }), 'Team servers this app can attach to (tokens are never listed).'),
  'servers.save': command(
    z.object({ url: TeamServerUrl, token: z.string().min(1).max(4096) }),
    z.object({ servers: z.array(TeamServer) }),
    'Add a team server, or replace its token.',
  ),
  'servers.remove': command(z.object({ url: TeamServerUrl }), z.object({ servers: z.array(TeamServer) }), 'Forget a team server and its token.'),
  'servers.credentials': command(
    z.object({ url: TeamServerUrl }),
    z.object({ url: z.string(), token: z.string() }),
    'The token to attach to a saved team server (for this app’s own page, which opens the connection).',
  ),
  'artifacts.list': command(z.object({ runId: z.string() }), z.object({ artifacts: z.array(Artifact) }), 'Artifacts of a run.'),
  'artifacts.preview': command(
    z.object({ artifactId: z.string(), maxBytes: z.number().int().min(1).max(10 * 1024 * 1024).optional() }),
    ArtifactPreview,
    'The beginning of an artifact, for preview.',
  ),
  'artifacts.export': command(z.object({ artifactId: z.string() }), ExportResult, 'Export one artifact (save dialog / download).'),
  'runs.export': command(z.object({ runId: z.string() }), ExportResult, 'Export a run as a zip bundle of workflow, events and artifacts.'),
  'runs.import': command(
    z.object({
      /** The zip `runs.export` made, base64 (JSON carries no bytes); up to 64 MB of zip (the browser posts it to `POST /api/runs/import`: a WebSocket message holds 10 MB). */
      bundle: z.base64().max(MAX_IMPORT_BASE64_CHARS),
      /** The file's name, kept to say where the run came from. */
      fileName: z.string().max(1024).optional(),
    }),
    z.object({ runId: z.string(), originalRunId: z.string() }),
    'Open a run bundle (`runs.export`, here or on another AWE, e.g. a team server) as a finished, read-only run in this store. It keeps its id unless one by that id exists here (then it gets a new one). A damaged or hostile bundle, or one from a newer AWE, is refused saying why, and nothing of it is kept.',
  ),
} as const;

export type Api = typeof api;
export type CommandName = keyof Api;
export type RequestOf<C extends CommandName> = z.input<Api[C]['request']>;
export type ResponseOf<C extends CommandName> = z.output<Api[C]['response']>;
export const COMMAND_NAMES = Object.keys(api) as CommandName[];

/** A typed error every transport returns for a bad request or a failed command. */
export const ApiError = z.object({
  code: z.enum(['bad-request', 'not-found', 'conflict', 'forbidden', 'internal', 'unknown-command', 'invalid-workflow']),
  message: z.string(),
  problems: z.array(Problem).optional(),
});
export type ApiError = z.infer<typeof ApiError>;

/** Converts `workflows.list` into the preload method name `workflowsList`. */
export function methodName(c: CommandName): string {
  return c.replace(/\.(\w)/g, (_, ch: string) => ch.toUpperCase());
}

/** `window.awe`: one named method per command, plus the event subscription. */
export type AweApi = {
  [C in CommandName as C extends `${infer A}.${infer B}` ? `${A}${Capitalize<B>}` : C]: (
    request: RequestOf<C>,
  ) => Promise<ResponseOf<C>>;
} & {
  events: {
    /** Receives event batches (one per ~16 ms frame). Returns an unsubscribe function. */
    subscribe(cb: (events: EngineEvent[]) => void): () => void;
  };
  /** `electron` inside the desktop app, `web` in a browser against `awe serve`. */
  platform: 'electron' | 'web';
};
