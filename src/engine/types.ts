/**
 * The engine facade: what the transports (IPC handlers, the REST/WebSocket server,
 * the CLI) may call. `createEngine(options)` in engine.ts returns one.
 */
import type {
  Artifact,
  EngineEvent,
  McpServerInfo,
  NodeRun,
  RerunMode,
  Run,
  RunSummary,
  RunView,
  Settings,
  SettingsUpdate,
  ToolInfo,
  Workflow,
  WorkflowDiff,
  WorkflowSummary,
} from '../contract';
import type { Executor } from './execution/executor';
import type { EngineLogger } from './observe/logger';
import type { TracingOptions } from './observe/tracing';
import type { WorkspaceInfo } from './runs/workspaces';
import type { SecretStore } from './settings/secret-store';
import type { TeamServers } from './settings/team-servers';
import type { LlmChatClient, ToolSpec } from './tools/types';
import type { CheckedWorkflow } from './workflow/valid';
import type { BundleLimits } from './runs/bundle-import';

export type { EngineLogger } from './observe/logger';
export type { SecretStore } from './settings/secret-store';

export interface EngineOptions {
  /** The data folder: SQLite file, artifacts, workspaces. */
  dataDir: string;
  /** Nodes running at once across all runs. @default 16 */
  globalConcurrency?: number;
  /**
   * Whether a person can answer approval requests (desktop app, `awe serve`).
   * Headless runs (`awe run`) refuse risky tools instead of asking. @default false
   */
  interactive?: boolean;
  /** Tools allowed without asking, in every run (`--allow`). Supports `prefix.*`. */
  allow?: string[];
  /** Path of an `mcpServers` JSON file (`--mcp-config`, `AWE_MCP_CONFIG`). */
  mcpConfigPath?: string;
  /** Extra tools (tests register test-only tools here; the CLI ships none). */
  extraTools?: ToolSpec[];
  /** Overrides the configured LLM client (tests point this at a scripted server). */
  llm?: LlmChatClient;
  secrets?: SecretStore;
  /** Resume runs left `running` by a crash when the engine opens. @default false */
  resumeOnOpen?: boolean;
  /** What the Samples workspace is copied from. @default resources/sample-workspace */
  sampleWorkspaceDir?: string;
  /**
   * Keep adopting runs orphaned while this engine is open (their owner's lease lapsed), every
   * lease heartbeat: `awe serve` does, so a run whose `awe run` was killed finishes without a restart.
   * @default false
   */
  adoptOrphans?: boolean;
  /** Where the engine reports what no caller awaits (adopted runs, unrecorded events, slow statements). @default `[awe] …` lines on stderr */
  logger?: EngineLogger;
  /**
   * OpenTelemetry traces of runs. @default from the OTEL_* environment: on when
   * OTEL_EXPORTER_OTLP_ENDPOINT (or …_TRACES_ENDPOINT) is set, else when Settings name an OTLP
   * endpoint (applied as Settings change); fixed processors here ignore both; `false` turns it off.
   */
  tracing?: TracingOptions | false;
  /** Run lease timing (run-lease.ts). @default 10 s lease, 3 s heartbeat, or AWE_LEASE_MS / AWE_LEASE_HEARTBEAT_MS */
  lease?: { durationMs?: number; heartbeatMs?: number };
  /** How much an imported run bundle may unpack to (bundle-import.ts). @default DEFAULT_BUNDLE_LIMITS */
  bundleLimits?: BundleLimits;
  /**
   * Where node executions run (`awe run|serve --queue` passes a QueueExecutor); closed with the engine.
   * @default in this process
   */
  executor?: Executor & { close?(): Promise<void> };
}

export interface StartRunOptions {
  inputs?: Record<string, unknown>;
  /** Nodes of this run that may run at once. @default workflow.settings.concurrency ?? 8 */
  concurrency?: number;
  /** Extra tools allowed for this run only. */
  allow?: string[];
  /** Folder the file tools may use. @default a fresh folder under the data folder */
  workspaceDir?: string;
}

export interface PlanOptions {
  planner?: 'auto' | 'offline' | 'llm';
  current?: Workflow;
  signal?: AbortSignal;
}

export interface PlanResult {
  workflow: Workflow;
  planner: 'offline' | 'llm';
  explanation: string;
  diff?: WorkflowDiff;
}

export interface RunHandle {
  runId: string;
  /** Settles when the run reaches a terminal state (or waits for a person). */
  done: Promise<RunView>;
}

export interface Engine {
  readonly dataDir: string;

  // Workflows
  /** Every problem of a document; a runnable one comes back as a `ValidWorkflow` that `startRun` takes without a second check. */
  validate(doc: unknown): CheckedWorkflow;
  /**
   * `validate` for large documents on a worker thread, bounded in time (VALIDATION_TIMEOUT past it).
   * A runnable `workflow` it returns is taken by `startRun` as it is, without a second check.
   */
  validateOffThread?(doc: unknown): Promise<CheckedWorkflow>;
  saveWorkflow(workflow: Workflow): Workflow;
  getWorkflow(id: string): Workflow | undefined;
  listWorkflows(): WorkflowSummary[];
  deleteWorkflow(id: string): boolean;

  // Planning
  plan(goal: string, options?: PlanOptions): Promise<PlanResult>;

  // Runs
  /**
   * Starts a run. A `ValidWorkflow` this engine's validation returned runs as it is; any other
   * document is validated first (InvalidWorkflowError lists every problem). The run's inputs
   * are typed once here and stored in that form (BAD_INPUT when they do not fit).
   */
  startRun(workflow: Workflow, options?: StartRunOptions): RunHandle;
  cancelRun(runId: string): void;
  /**
   * Reruns a node of a finished run. With `workflow` (the editor's document), the rerun
   * nodes run with its definitions of them (recorded as `node.definition` events); its
   * graph must have the run's nodes and edges, else a full Run is needed.
   */
  rerunNode(runId: string, nodeId: string, options?: { mode?: RerunMode; inputs?: Record<string, unknown>; workflow?: Workflow }): RunHandle;
  /** Reruns every dead letter with its downstream; with `workflow`, using its definitions of those nodes (as `rerunNode`). */
  retryFailed(runId: string, options?: { workflow?: Workflow }): RunHandle;
  /** Resumes runs left running by a crash (one, or all); returns their ids. */
  resumeRuns(runId?: string): RunHandle[];
  approve(runId: string, nodeId: string, approved: boolean, comment?: string): void;
  waitForRun(runId: string): Promise<RunView>;
  runView(runId: string): RunView | undefined;
  getRun(runId: string): Run | undefined;
  listRuns(filter?: { workflowId?: string; limit?: number }): RunSummary[];
  nodeRuns(runId: string): NodeRun[];
  events(runId: string, afterSeq?: number, limit?: number): EngineEvent[];
  /** Receives event batches, one per scheduler tick. Returns an unsubscribe function. */
  subscribe(listener: (batch: EngineEvent[]) => void): () => void;

  // Tools and MCP
  listTools(): Promise<ToolInfo[]>;
  listMcpServers(): McpServerInfo[];
  importMcpServers(text: string): McpServerInfo[];
  approveMcpServer(name: string): McpServerInfo[];
  removeMcpServer(name: string): McpServerInfo[];

  // Artifacts
  listArtifacts(runId: string): Artifact[];
  getArtifact(id: string): Artifact | undefined;
  /** Absolute path of the artifact's file (checked to stay inside the artifacts folder). */
  artifactPath(id: string): string;
  /** A zip of the run's workflow snapshot, events (JSONL) and artifacts. */
  exportRunBundle(runId: string): Promise<Uint8Array>;
  /**
   * Records a bundle `exportRunBundle` made (here or on another AWE) as a finished, read-only
   * run, all or nothing; a bundle that is damaged, hostile or from a newer AWE is refused
   * (bad-request) saying why. The run keeps its id unless one by that id exists here.
   * `fileName` is kept to say where the run came from. The bundle is opened off the event loop:
   * the process keeps answering meanwhile.
   */
  importRunBundle(bytes: Uint8Array, options?: { fileName?: string }): Promise<{ runId: string; originalRunId: string }>;

  /** The tools a workflow's settings.allowTools requests, and whether a person approved that request. */
  workflowAllowRequest(workflow: Workflow): { requested: string[]; approved: boolean };
  /** A person approves the request as shown to them (`tools` must equal the current request). */
  approveWorkflowAllowRequest(workflow: Workflow, tools: string[]): { requested: string[]; approved: boolean };
  // Workspaces (the folder a workflow's runs use; remembered per workflow id, never in the document)
  /** The workflow's workspace: the folder chosen for it, or the Samples workspace. */
  workspaceOf(workflowId: string): WorkspaceInfo;
  /** Remembers a folder (checked: absolute, exists, a folder) for the workflow; '' goes back to Samples. */
  chooseWorkspace(workflowId: string, path: string): WorkspaceInfo;
  /** The folder a run of the workflow uses, checked again at run start. */
  workspaceForRun(workflowId: string): string;

  /** The engine's Prometheus metrics as text exposition (`GET /metrics`). */
  metricsText?(): Promise<{ contentType: string; text: string }>;

  // Settings
  getSettings(): Settings;
  updateSettings(update: SettingsUpdate): Settings;
  /** Team servers this app can attach to (Settings → Servers); their origins feed the UI's CSP. */
  readonly teamServers: TeamServers;

  close(): Promise<void>;
}
