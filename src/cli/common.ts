/**
 * What every command shares: the data folder, opening the engine, reading workflow
 * files, the `--json` result shape, and the exit codes.
 *
 * Only the light engine entry is imported here: the full engine (planner, LLM client, MCP,
 * tracing, metrics) and queue mode load when a command opens them, so `awe runs` and
 * `awe show` never pay for what they do not use.
 */
import envPaths from 'env-paths';
import type { Problem, RunView, Workflow } from '../contract';
import type { Engine, EngineOptions, LocalEngine } from '../engine';
import type { QueueExecutor } from '../engine/queue';
import { openRunReader, stderrLogger, type RunReader } from '../engine/light';
import { problemLines } from '../shared/problems';
import { CliError, EXIT } from './exit';

export { CliError, EXIT };

export type { LocalEngine };

export interface GlobalFlags {
  'data-dir'?: string;
  'mcp-config'?: string;
  json?: boolean;
  allow?: string[];
  /** `--queue redis://HOST:PORT`: node executions go to `awe worker` processes (else `AWE_QUEUE_URL`). */
  queue?: string;
}

/** `--data-dir`, else `AWE_DATA_DIR`, else the user's data folder (e.g. ~/.local/share/awe). */
export function resolveDataDir(flags: GlobalFlags): string {
  return flags['data-dir'] || process.env.AWE_DATA_DIR || envPaths('awe', { suffix: '' }).data;
}

export async function openEngine(flags: GlobalFlags, extra: Partial<EngineOptions> = {}): Promise<LocalEngine> {
  const mcpConfigPath = flags['mcp-config'] || process.env.AWE_MCP_CONFIG || undefined;
  const { createEngine } = await import('../engine');
  try {
    const executor = await queueExecutorFor(flags);
    // The engine's own reports (adopted runs, unrecorded events) go to stderr, beside the CLI's messages; `awe serve` opens here too.
    return createEngine({ dataDir: resolveDataDir(flags), mcpConfigPath, allow: flags.allow, logger: stderrLogger, ...(executor ? { executor } : {}), ...extra });
  } catch (err) {
    throw new CliError(`cannot open AWE: ${(err as Error).message}`);
  }
}

/** The data folder's runs, read only: for commands that look at runs and start none. */
export function openReader(flags: GlobalFlags): RunReader {
  try {
    return openRunReader({ dataDir: resolveDataDir(flags), logger: stderrLogger });
  } catch (err) {
    throw new CliError(`cannot open AWE: ${(err as Error).message}`);
  }
}

export function formatProblems(problems: Problem[]): string {
  return problemLines(problems, { code: true })
    .map((line) => `  - ${line}`)
    .join('\n');
}

/** Reads and validates a workflow file; invalid files end the command with exit 2 and every problem listed. */
export async function loadWorkflow(engine: LocalEngine, file: string): Promise<Workflow> {
  const result = await engine.readWorkflowFile(file);
  if (!result.ok || !result.workflow) throw new CliError(invalidFileMessage(file, result.problems));
  return result.workflow;
}

export function invalidFileMessage(file: string, problems: Problem[]): string {
  return `${file} is not a valid workflow (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${formatProblems(problems)}`;
}

/** `--input key=value` pairs; values stay text and are typed by the workflow's input declarations. */
export function parseInputs(pairs: string[] | undefined): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const pair of pairs ?? []) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new CliError(`--input expects key=value, got "${pair}"`);
    inputs[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return inputs;
}

export function parsePositiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError(`${flag} expects a whole number ≥ 1, got "${value}"`);
  return n;
}

/** The `--json` shape of a run: `{runId, status, nodes: {<id>: {status, attempts, output, error}}, deadLetters}`. */
export function runResultJson(view: RunView): Record<string, unknown> {
  // Null prototype: a node called `__proto__` is a key like any other (JSON.stringify keeps it).
  const nodes: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [id, n] of Object.entries(view.nodes)) {
    nodes[id] = { status: n.status, attempts: n.attempts, output: n.output ?? null, error: n.error ?? null };
  }
  return {
    runId: view.runId,
    status: view.status,
    nodes,
    deadLetters: view.deadLetters,
    ...(view.error ? { error: view.error } : {}),
    ...(view.ownerChanged ? { ownerChanged: view.ownerChanged } : {}),
  };
}

/** A run in a few lines: its status, how many nodes ended how, and why it failed. */
export function runSummary(view: RunView): string {
  const counts = new Map<string, number>();
  for (const n of Object.values(view.nodes)) counts.set(n.status, (counts.get(n.status) ?? 0) + 1);
  const parts = [...counts].map(([s, n]) => `${n} ${s}`).join(', ');
  let text = `run ${view.runId}: ${view.status} (${parts})\n`;
  for (const id of view.deadLetters) text += `  failed: ${id} — ${view.nodes[id]?.error?.message ?? 'unknown error'}\n`;
  if (view.error && !view.deadLetters.length) text += `  ${view.error}\n`;
  if (view.ownerChanged) text += `  ${view.ownerChanged.code}: ${view.ownerChanged.message}\n`;
  return text;
}

export function exitCodeFor(view: RunView): number {
  if (view.status === 'succeeded') return EXIT.ok;
  return EXIT.failed;
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value)}\n`);
}

/** Known run or exit 2 naming it. */
export function requireRunId(engine: Pick<Engine, 'dataDir' | 'getRun'>, runId: string | undefined): string {
  if (!runId) throw new CliError('a RUN_ID is required (see `awe runs`)');
  if (!engine.getRun(runId)) throw new CliError(`no run with id "${runId}" in ${engine.dataDir}`);
  return runId;
}

/** The queue executor `--queue` or `AWE_QUEUE_URL` asks for (it connects on the first remote node), else none: in-process. */
export async function queueExecutorFor(flags: GlobalFlags): Promise<QueueExecutor | undefined> {
  const url = flags.queue || process.env.AWE_QUEUE_URL || undefined;
  if (!url) return undefined;
  if (!/^(rediss?:\/\/|unix:\/\/)/.test(url)) throw new CliError(`--queue expects redis://HOST:PORT or unix:///path/to/redis.sock, got "${url}"`);
  const reconcileMs = Number(process.env.AWE_QUEUE_RECONCILE_MS) || undefined;
  // BullMQ and ioredis load only for queue mode.
  const { QueueExecutor } = await import('../engine/queue');
  return new QueueExecutor({ url, ...(reconcileMs ? { reconcileMs } : {}) });
}
