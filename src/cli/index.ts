/**
 * The `awe` command: run workflows headless, inspect and resume runs, plan goals, list
 * tools, export runs, and serve the UI in a browser.
 *
 * Exit codes: 0 success, 1 the run failed, 2 bad input (usage, invalid file, unknown
 * run), 130 interrupted with Ctrl-C.
 */
import { parseArgs } from 'node:util';
import { CliError, EXIT } from './exit';

const HELP = `awe — goal-driven agentic workflows, headless

Usage: awe <command> [options]

Workflows
  validate FILE                      list every problem; exit 2 when invalid
  import FILE                        validate and save a workflow
  plan "GOAL" [--planner offline|llm] [--out FILE]
                                     plan a goal into a workflow
Runs
  run FILE [--input key=value]… [--concurrency N] [--workspace DIR] [--allow TOOL]… [--trust-workflow] [--json]
  run --goal "GOAL" [--planner offline|llm] …   plan, then run
  runs [--json]                      runs, newest first
  show RUN_ID [--json]               a run's nodes, attempts, outputs and errors
  show RUN_ID --scorecard [--json]   the run's scorecard: outcome, wall time, critical path,
                                     approval wait, per-node latency, retries, cost by model
  rerun RUN_ID NODE_ID [--only] [--json]
                                     rerun a node (and downstream unless --only)
  resume [RUN_ID] [--json]           resume runs a crash left unfinished
  cancel RUN_ID                      cancel a run (also one running in another process)
  approve RUN_ID NODE_ID [--reject] [--comment TEXT]
                                     answer an approval request
Tools and output
  tools [--json]                     built-in and MCP tools
  artifacts RUN_ID [--json]          files a run saved
  export RUN_ID --out PATH           zip of the workflow, events and artifacts
  import-run FILE [--json]           open a run's zip (from export, here or on another AWE)
                                     as a finished, read-only run
  serve [--port 8787] [--host 127.0.0.1] [--token T]
                                     REST + WebSocket API and the UI in a browser; every API
                                     call needs the token (printed in the URL, also in
                                     DATA_DIR/serve-token; a fresh one each start unless --token);
                                     GET /metrics (Prometheus) needs it too, or --metrics-port N
                                     serves /metrics alone on 127.0.0.1:N without a token
    [--allow-origin ORIGIN]          let the UI served at ORIGIN attach to this server as a team
                                     server (repeatable; the desktop app may always)

Queue mode (node executions on workers over Redis; docs/distributed.md)
  worker --queue redis://HOST:PORT [--concurrency N]
                                     run node executions from the queue until SIGTERM (then drain)
    [--lock-ms MS]                   how long a job stays with a worker that stopped renewing it
                                     before another may take it (default: $AWE_QUEUE_LOCK_MS, else 30000)
    [--stalled-check-ms MS]          how often such jobs are looked for
                                     (default: $AWE_QUEUE_STALLED_CHECK_MS, else 30000)
    [--llm-base-url URL] [--llm-model NAME]
                                     the OpenAI-compatible endpoint llm.generate calls here
                                     (default: $OPENAI_BASE_URL, $AWE_LLM_MODEL; the key only from
                                     $OPENAI_API_KEY)
    [--metrics-port N]               serve GET /metrics (Prometheus, awe_worker_*) on 127.0.0.1:N only,
                                     without a token; 0 picks a free port (default: $AWE_WORKER_METRICS_PORT,
                                     else none); it stays up while a drain finishes the active jobs
  run|resume|rerun|serve … --queue redis://HOST:PORT
                                     hand node executions to workers (default: $AWE_QUEUE_URL, else in-process)

Options for every command
  --data-dir DIR      data folder (default: $AWE_DATA_DIR, else the user data folder)
  --mcp-config FILE   an mcpServers JSON file (default: $AWE_MCP_CONFIG)
  --allow TOOL        allow a write/network tool without asking (repeatable; mcp.server.* works)
  --trust-workflow    approve the workflow file's own settings.allowTools request (remembered
                      for this workflow id and exactly this list; without it the request is ignored)
  --json              machine-readable output (the last stdout line is one JSON value)
  -h, --help          this help

Exit codes: 0 success, 1 run failed, 2 bad input, 130 interrupted (Ctrl-C).
`;

const OPTIONS = {
  'data-dir': { type: 'string' },
  'mcp-config': { type: 'string' },
  json: { type: 'boolean' },
  input: { type: 'string', multiple: true, short: 'i' },
  concurrency: { type: 'string' },
  workspace: { type: 'string' },
  allow: { type: 'string', multiple: true },
  'trust-workflow': { type: 'boolean' },
  goal: { type: 'string' },
  planner: { type: 'string' },
  only: { type: 'boolean' },
  reject: { type: 'boolean' },
  comment: { type: 'string' },
  scorecard: { type: 'boolean' },
  out: { type: 'string', short: 'o' },
  port: { type: 'string' },
  host: { type: 'string' },
  token: { type: 'string' },
  queue: { type: 'string' },
  'allow-origin': { type: 'string', multiple: true },
  'metrics-port': { type: 'string' },
  'lock-ms': { type: 'string' },
  'stalled-check-ms': { type: 'string' },
  'llm-base-url': { type: 'string' },
  'llm-model': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

type Command = (args: string[], flags: any) => Promise<number>;
/**
 * Each command's module is loaded only when that command runs: help and usage errors
 * answer without opening the engine, and only `serve` loads the HTTP server.
 */
const COMMANDS: Record<string, () => Promise<Command>> = {
  validate: () => import('./workflow-commands').then((m) => m.validateCommand),
  import: () => import('./workflow-commands').then((m) => m.importCommand),
  plan: () => import('./workflow-commands').then((m) => m.planCommand),
  run: () => import('./run-commands').then((m) => m.runCommand),
  runs: () => import('./inspect-commands').then((m) => m.runsCommand),
  show: () => import('./inspect-commands').then((m) => m.showCommand),
  rerun: () => import('./run-commands').then((m) => m.rerunCommand),
  resume: () => import('./run-commands').then((m) => m.resumeCommand),
  cancel: () => import('./run-commands').then((m) => m.cancelCommand),
  approve: () => import('./run-commands').then((m) => m.approveCommand),
  tools: () => import('./tool-commands').then((m) => m.toolsCommand),
  artifacts: () => import('./tool-commands').then((m) => m.artifactsCommand),
  export: () => import('./tool-commands').then((m) => m.exportCommand),
  'import-run': () => import('./tool-commands').then((m) => m.importRunCommand),
  serve: () => import('./serve-command').then((m) => m.serveCommand),
  worker: () => import('./worker-command').then((m) => m.workerCommand),
};

export async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    process.stderr.write(`awe: ${(err as Error).message}\n\nRun "awe --help" for usage.\n`);
    return EXIT.usage;
  }
  const [name, ...args] = parsed.positionals;
  if (parsed.values.help || !name || name === 'help') {
    process.stdout.write(HELP);
    return name || parsed.values.help ? EXIT.ok : EXIT.usage;
  }
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    process.stderr.write(`awe: unknown command "${name}"\n\nRun "awe --help" for usage.\n`);
    return EXIT.usage;
  }
  try {
    const command = await load();
    return await command(args, parsed.values);
  } catch (err) {
    if (err instanceof CliError) {
      process.stderr.write(`awe ${name}: ${err.message}\n`);
      return err.exitCode;
    }
    process.stderr.write(`awe ${name}: ${(err as Error).stack ?? String(err)}\n`);
    return EXIT.failed;
  }
}

/**
 * `awe show RUN | head -2`: the reader may leave before we are done. That is not an
 * error of ours: further output is dropped quietly and the command finishes as it
 * would have (a run still completes and is recorded), exiting with its own code.
 */
function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  stream.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE' || err.code === 'ERR_STREAM_DESTROYED') return;
    throw err;
  });
}
quietOnClosedPipe(process.stdout);
quietOnClosedPipe(process.stderr);

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
    // Stray handles (an MCP child, a keep-alive socket) must not keep a finished command alive;
    // but a large --json answer into a slow pipe must be written out first (the empty
    // write's callback runs once everything before it has been flushed, or has failed).
    process.stdout.write('', () => setTimeout(() => process.exit(code), 200).unref());
  },
  (err: unknown) => {
    process.stderr.write(`awe: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(EXIT.failed);
  },
);
