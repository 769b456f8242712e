/**
 * The engine's entry: the CLI, the Electron main process, `awe serve` and the shared
 * transport helpers (`src/host`) import the engine only from here, or from its two narrower
 * entries that load less (an ESLint rule holds it): `light.ts` (reading runs from the store,
 * for `awe runs` and `awe show`) and `queue/` (its index: BullMQ and ioredis, for queue mode only).
 *
 * Inside, folders by job:
 * - `workflow/`  the document: validate, resolve templates, inputs, trust, schema (the pure parts —
 *                graph, template parser, workflow text, node-kind metadata — are in src/shared)
 * - `execution/` one run: scheduler, frontier, node runner, deadlines, retries, critic, policy, executor;
 *                `execution/kinds/` how each node kind runs (input, output, condition, map, tool calls)
 * - `runs/`      a run's life: supervisor, event log, lease, artifacts, bundles, workspaces
 * - `store/`     SQLite: migrations, projection, queries
 * - `tools/`     what nodes call: built-ins, `tools/mcp/` (MCP servers), `tools/llm/` (the model client)
 * - `planner/`   how goals become workflows
 * - `queue/`     queue mode: the BullMQ executor and `awe worker`'s runtime (issue 12); its index is an entry
 * - `observe/`   the logger, Prometheus metrics and OpenTelemetry traces (issue 13)
 * - `settings/`  settings, secrets and the team servers this app may attach to
 */
export { createEngine, InvalidWorkflowError } from './engine';
export type { LocalEngine } from './engine';
export { stderrLogger } from './observe/logger';
export type { Engine, EngineLogger, EngineOptions, PlanOptions, PlanResult, RunHandle, SecretStore, StartRunOptions } from './types';
export { MAX_WORKFLOW_FILE_BYTES, MAX_WORKFLOW_NESTING, parseWorkflowJson, serializeWorkflow } from '../shared/workflow-text';
export { scanJson } from '../shared/json-scan';
export type { CheckedWorkflow, ValidWorkflow } from './workflow/valid';
export { fileInside, mimeForName, UI_CSP, uiCsp } from './runs/web-assets';
export { tracingFromEnv } from './observe/tracing-switch';
export { builtinTools } from './tools/builtins';
export { createLlmClient, llmConfigFromEnv } from './tools/llm/client';
export type { ToolSpec } from './tools/types';
export { EngineError, type EngineErrorCode } from './errors';
export { TeamServers, teamServerOrigin } from './settings/team-servers';
