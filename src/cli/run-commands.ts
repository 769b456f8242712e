/**
 * `awe run | rerun | resume | cancel | approve` (`show` and `runs` are in inspect-commands.ts).
 */
import { TERMINAL_RUN_STATUSES, type RunView, type Workflow } from '../contract';
import type { Engine, RunHandle } from '../engine';
import type { LocalEngine } from './common';
import {
  CliError,
  EXIT,
  exitCodeFor,
  loadWorkflow,
  openEngine,
  parseInputs,
  parsePositiveInt,
  printJson,
  requireRunId,
  runResultJson,
  runSummary,
  type GlobalFlags,
} from './common';
import { RunProgress } from './progress';

export interface RunFlags extends GlobalFlags {
  input?: string[];
  concurrency?: string;
  workspace?: string;
  goal?: string;
  planner?: string;
  only?: boolean;
  reject?: boolean;
  comment?: string;
  'trust-workflow'?: boolean;
}

/**
 * Follows runs to their end with live progress; Ctrl-C cancels them cleanly (recorded
 * as cancelled) and the command exits 130. A second Ctrl-C exits at once.
 */
async function follow(engine: Engine, handles: RunHandle[], flags: RunFlags, nodeIds: string[]): Promise<number> {
  // With --json stdout carries only the result; progress goes to stderr.
  const progress = new RunProgress(new Set(handles.map((h) => h.runId)), nodeIds, { out: flags.json ? process.stderr : process.stdout }).attach(engine);
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(EXIT.interrupted);
    interrupted = true;
    process.stderr.write('\ncancelling (Ctrl-C again to quit at once)…\n');
    for (const h of handles) engine.cancelRun(h.runId);
  };
  process.on('SIGINT', onSigint);
  let views: RunView[];
  try {
    views = await Promise.all(handles.map((h) => h.done));
  } finally {
    process.off('SIGINT', onSigint);
    progress.stop();
  }
  return report(views, flags, interrupted);
}

function report(views: RunView[], flags: RunFlags, interrupted: boolean): number {
  if (flags.json) printJson(views.length === 1 ? runResultJson(views[0]) : views.map(runResultJson));
  else for (const v of views) process.stdout.write(runSummary(v));
  if (interrupted) return EXIT.interrupted;
  return views.reduce((code, v) => Math.max(code, exitCodeFor(v)), EXIT.ok as number);
}

export async function runCommand(args: string[], flags: RunFlags): Promise<number> {
  if (flags.goal ? args.length !== 0 : args.length !== 1) throw new CliError('usage: awe run FILE [--input key=value]… [--json]  or  awe run --goal "GOAL"');
  const concurrency = parsePositiveInt(flags.concurrency, '--concurrency');
  const inputs = parseInputs(flags.input);
  const planner = plannerFlag(flags.planner);
  const engine = await openEngine(flags);
  try {
    let workflow: Workflow;
    if (flags.goal) {
      let plan;
      try {
        plan = await engine.plan(flags.goal, { planner });
      } catch (err) {
        throw new CliError(`planning failed: ${(err as Error).message}`, EXIT.failed);
      }
      process.stderr.write(`planned with the ${plan.planner} planner: ${plan.explanation}\n`);
      workflow = plan.workflow;
    } else {
      workflow = await loadWorkflow(engine, args[0]);
      trustWorkflow(engine, workflow, flags);
    }
    let handle: RunHandle;
    try {
      handle = engine.startRun(workflow, { inputs, concurrency, workspaceDir: flags.workspace, allow: flags.allow });
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    if (!flags.json) process.stdout.write(`run ${handle.runId} of ${workflow.id} started\n`);
    return await follow(engine, [handle], flags, workflow.nodes.map((n) => n.id));
  } finally {
    await engine.close();
  }
}

/**
 * A file's own `settings.allowTools` is only a request: `--trust-workflow` approves it
 * (remembered for this id and list); without it the person is told it is ignored.
 */
function trustWorkflow(engine: Engine, workflow: Workflow, flags: RunFlags): void {
  const { requested, approved } = engine.workflowAllowRequest(workflow);
  if (requested.length === 0) return;
  if (flags['trust-workflow']) {
    engine.approveWorkflowAllowRequest(workflow, requested);
    process.stderr.write(`approved the workflow's request to allow: ${requested.join(', ')}\n`);
  } else if (!approved) {
    process.stderr.write(
      `note: ${workflow.id} asks to allow ${requested.join(', ')} without asking; that request is not approved, so it is ignored ` +
        `(approve it with --trust-workflow, or allow single tools with --allow TOOL)\n`,
    );
  }
}

export function plannerFlag(value: string | undefined): 'auto' | 'offline' | 'llm' | undefined {
  if (value === undefined) return undefined;
  if (value === 'auto' || value === 'offline' || value === 'llm') return value;
  throw new CliError(`--planner must be offline, llm or auto, got "${value}"`);
}

export async function rerunCommand(args: string[], flags: RunFlags): Promise<number> {
  const [runIdArg, nodeId] = args;
  if (!nodeId) throw new CliError('usage: awe rerun RUN_ID NODE_ID [--only] [--json]');
  const engine = await openEngine(flags);
  try {
    const runId = requireRunId(engine, runIdArg);
    let handle: RunHandle;
    try {
      handle = engine.rerunNode(runId, nodeId, { mode: flags.only ? 'only' : 'downstream' });
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    return await follow(engine, [handle], flags, engine.getRun(runId)!.snapshot.nodes.map((n) => n.id));
  } finally {
    await engine.close();
  }
}

/**
 * Waits while another process holds a lease on the run(s): a killed owner's lease lapses within
 * the lease duration (10 s by default), and answering "try again later" would only make the
 * person (or script) retry by hand. A live owner renews within a heartbeat, which ends the wait.
 */
function awaitOwners(engine: LocalEngine, runId: string | undefined): Promise<string[]> {
  return engine.awaitRunOwners(runId, (id, ms, pid) =>
    process.stderr.write(
      `run ${id} is held by another AWE process${pid === null ? '' : ` (pid ${pid})`}; waiting up to ${(ms / 1000).toFixed(1)} s for its lease to lapse or be renewed\n`,
    ),
  );
}

export async function resumeCommand(args: string[], flags: RunFlags): Promise<number> {
  const engine = await openEngine(flags);
  try {
    const runId = args[0] ? requireRunId(engine, args[0]) : undefined;
    // Runs whose owner proved alive are refused below (one run) or skipped (all runs).
    await awaitOwners(engine, runId);
    let handles: RunHandle[];
    try {
      handles = engine.resumeRuns(runId);
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    if (handles.length === 0) {
      if (runId) {
        const view = engine.runView(runId)!;
        if (flags.json) printJson(runResultJson(view));
        else process.stdout.write(`run ${runId} is ${view.status}; nothing to resume\n`);
        return exitCodeFor(view);
      }
      if (flags.json) printJson([]);
      else process.stdout.write('no interrupted runs\n');
      return EXIT.ok;
    }
    const nodeIds = handles.length === 1 ? (safely(() => engine.getRun(handles[0].runId)?.snapshot.nodes.map((n) => n.id)) ?? []) : [];
    if (!flags.json) for (const h of handles) process.stdout.write(`resuming run ${h.runId}\n`);
    if (!runId && flags.json) {
      const code = await follow(engine, handles, { ...flags, json: false }, nodeIds);
      // The views each run finished with: a run that could not be resumed may have an unreadable log.
      printJson((await Promise.all(handles.map((h) => h.done))).map(runResultJson));
      return code;
    }
    return await follow(engine, handles, flags, nodeIds);
  } finally {
    await engine.close();
  }
}

export async function cancelCommand(args: string[], flags: RunFlags): Promise<number> {
  const engine = await openEngine(flags);
  try {
    const runId = requireRunId(engine, args[0]);
    engine.cancelRun(runId);
    // Held by another process: a live one stops it on the request; a dead one's run is cancelled here once its lease lapsed.
    if (!TERMINAL_RUN_STATUSES.includes(engine.getRun(runId)!.status) && (await awaitOwners(engine, runId)).length === 0) engine.cancelRun(runId);
    const run = engine.getRun(runId)!;
    process.stdout.write(
      run.status === 'cancelled'
        ? `run ${runId} cancelled\n`
        : run.status === 'succeeded' || run.status === 'failed'
          ? `run ${runId} already ${run.status}; nothing to cancel\n`
          : `cancel requested; the process running ${runId} stops it within a second\n`,
    );
    return EXIT.ok;
  } finally {
    await engine.close();
  }
}

export async function approveCommand(args: string[], flags: RunFlags): Promise<number> {
  const [runIdArg, nodeId] = args;
  if (!nodeId) throw new CliError('usage: awe approve RUN_ID NODE_ID [--reject] [--comment TEXT]');
  const engine = await openEngine(flags);
  try {
    const runId = requireRunId(engine, runIdArg);
    try {
      engine.approve(runId, nodeId, !flags.reject, flags.comment);
      // Held by a process that died: finish the run here once its lease lapsed (a live one polls the decision).
      if (!TERMINAL_RUN_STATUSES.includes(engine.getRun(runId)!.status) && (await awaitOwners(engine, runId)).length === 0) {
        engine.resumeRuns(runId).forEach((h) => h.done.catch(() => undefined));
      }
    } catch (err) {
      throw new CliError((err as Error).message);
    }
    process.stderr.write(`${flags.reject ? 'rejected' : 'approved'} ${nodeId} of run ${runId}\n`);
    // If the run's own process is gone, the engine resumed it here: see it through.
    const view = await engine.waitForRun(runId);
    if (flags.json) printJson(runResultJson(view));
    else if (TERMINAL_RUN_STATUSES.includes(view.status)) process.stdout.write(runSummary(view));
    // Still running elsewhere: that process picks the decision up; a summary now would show it waiting.
    else process.stdout.write(`run ${runId} continues in the process that is running it (see \`awe show ${runId}\`)\n`);
    return EXIT.ok;
  } finally {
    await engine.close();
  }
}

/** A value for display that an unreadable stored run must not turn into a crash. */
function safely<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
