/**
 * The engine's one entry: the CLI, the Electron main process, `awe serve` and the shared
 * transport helpers (`src/host`) import the engine only from here (an ESLint rule holds it).
 *
 * Inside, folders by job:
 * - `workflow/`  the document: parse, validate, graph, templates, inputs, trust, schema
 * - `execution/` one run: scheduler, frontier, node runner, deadlines, retries, map, critic, policy, executor
 * - `runs/`      a run's life: supervisor, event log, lease, artifacts, bundles, workspaces
 * - `store/`     SQLite: migrations, projection, queries
 * - `tools/`, `mcp/`, `llm/`, `planner/`  what nodes call and how goals become workflows
 */
export { createEngine, InvalidWorkflowError } from './engine';
export type { LocalEngine } from './engine';
export { EngineError, type EngineErrorCode } from './errors';
export { TeamServers, teamServerOrigin } from './team-servers';
export type { Engine, EngineOptions, PlanOptions, PlanResult, RunHandle, SecretStore, StartRunOptions } from './types';
export { MAX_WORKFLOW_FILE_BYTES, MAX_WORKFLOW_NESTING, parseWorkflowJson, serializeWorkflow } from './workflow/file';
export { scanJson } from './workflow/json-scan';
export { fileInside, mimeForName, UI_CSP, uiCsp } from './runs/web-assets';
