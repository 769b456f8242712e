/**
 * `awe validate | import | plan`.
 */
import { writeFileSync } from 'node:fs';
import { serializeWorkflow } from '../engine';
import { CliError, EXIT, formatProblems, invalidFileMessage, openEngine, printJson, type GlobalFlags } from './common';
import { plannerFlag } from './run-commands';

export interface WorkflowFlags extends GlobalFlags {
  planner?: string;
  out?: string;
}

export async function validateCommand(args: string[], flags: WorkflowFlags): Promise<number> {
  if (args.length !== 1) throw new CliError('usage: awe validate FILE');
  const engine = await openEngine(flags);
  try {
    const result = await engine.readWorkflowFile(args[0]);
    if (flags.json) printJson({ ok: result.ok, problems: result.problems });
    else if (result.ok) process.stdout.write(`${args[0]}: valid (${result.workflow?.nodes.length ?? 0} nodes)\n`);
    else process.stderr.write(`${args[0]}: ${result.problems.length} problem${result.problems.length === 1 ? '' : 's'}\n${formatProblems(result.problems)}\n`);
    return result.ok ? EXIT.ok : EXIT.usage;
  } finally {
    await engine.close();
  }
}

export async function importCommand(args: string[], flags: WorkflowFlags): Promise<number> {
  if (args.length !== 1) throw new CliError('usage: awe import FILE');
  const engine = await openEngine(flags);
  try {
    const result = await engine.readWorkflowFile(args[0]);
    if (!result.ok || !result.workflow) throw new CliError(`not imported: ${invalidFileMessage(args[0], result.problems)}`);
    const saved = engine.saveWorkflow(result.workflow);
    if (flags.json) printJson({ id: saved.id, version: saved.version });
    else process.stdout.write(`imported ${saved.id} (version ${saved.version})\n`);
    return EXIT.ok;
  } finally {
    await engine.close();
  }
}

export async function planCommand(args: string[], flags: WorkflowFlags): Promise<number> {
  const goal = args.join(' ').trim();
  if (!goal) throw new CliError('usage: awe plan "GOAL" [--planner offline|llm] [--out FILE]');
  // A bad flag is bad input (exit 2), not a planning failure.
  const planner = plannerFlag(flags.planner);
  const engine = await openEngine(flags);
  try {
    let plan;
    try {
      plan = await engine.plan(goal, { planner });
    } catch (err) {
      throw new CliError(`planning failed: ${(err as Error).message}`, EXIT.failed);
    }
    const text = serializeWorkflow(plan.workflow);
    if (flags.out) {
      writeFileSync(flags.out, text);
      process.stderr.write(`wrote ${flags.out} (${plan.workflow.nodes.length} nodes, ${plan.planner} planner): ${plan.explanation}\n`);
    } else if (flags.json) {
      printJson(plan);
    } else {
      process.stderr.write(`${plan.planner} planner: ${plan.explanation}\n`);
      process.stdout.write(text);
    }
    return EXIT.ok;
  } finally {
    await engine.close();
  }
}
