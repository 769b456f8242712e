/**
 * `awe runs | show`: they look at runs and start none, so they open the light engine entry
 * (the store and the fold) instead of the whole engine: these are the commands people type
 * most, and they answer in about the time Node takes to start.
 */
import { EXIT, openReader, printJson, requireRunId, runResultJson, runSummary, type GlobalFlags } from './common';

export interface InspectFlags extends GlobalFlags {
  scorecard?: boolean;
}

export async function showCommand(args: string[], flags: InspectFlags): Promise<number> {
  const reader = openReader(flags);
  try {
    const runId = requireRunId(reader, args[0]);
    if (flags.scorecard) {
      // The scorecard needs the contract's schemas (artifact URLs): loaded only for --scorecard.
      const { printScorecard } = await import('./scorecard-output');
      return printScorecard(reader, runId, flags);
    }
    const view = reader.runView(runId)!;
    if (flags.json) {
      printJson(runResultJson(view));
      return EXIT.ok;
    }
    process.stdout.write(runSummary(view));
    for (const [id, n] of Object.entries(view.nodes)) {
      const extra = n.error ? ` — ${n.error.message}` : n.cached ? ' (reused from cache)' : '';
      process.stdout.write(`  ${id.padEnd(20)} ${n.status.padEnd(11)} attempts ${n.attempts}${extra}\n`);
    }
    return EXIT.ok;
  } finally {
    reader.close();
  }
}

export async function runsCommand(_args: string[], flags: InspectFlags): Promise<number> {
  const reader = openReader(flags);
  try {
    const runs = reader.listRuns().map((r) => ({ runId: r.runId, workflowId: r.workflowId, status: r.status, startedAt: r.startedAt, finishedAt: r.finishedAt }));
    if (flags.json) printJson(runs);
    else if (runs.length === 0) process.stdout.write('no runs yet\n');
    else for (const r of runs) process.stdout.write(`${r.runId}  ${r.status.padEnd(11)} ${r.workflowId.padEnd(24)} ${new Date(r.startedAt).toISOString()}\n`);
    return EXIT.ok;
  } finally {
    reader.close();
  }
}
