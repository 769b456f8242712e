/**
 * The planner's entry point, shared by `awe plan`, `awe run --goal`, the API and the UI:
 * picks the planner, plans, and when a current workflow is given, merges and diffs.
 */
import type { ToolInfo, Workflow } from '../../contract';
import type { LlmChatClient } from '../tools/types';
import type { PlanResult } from '../types';
import { badRequest } from '../errors';
import { mergeReplan } from './diff';
import { formatProblems, planWithLlm, type ValidateFn } from './llm';
import { planOffline } from './offline';

export { diffWorkflows, mergeReplan } from './diff';
export { PlanningError, planWithLlm, type LlmPlan, type LlmPlanOptions } from './llm';
export { OFFLINE_GOAL_KINDS, planOffline, type OfflinePlan, type OfflinePlanOptions } from './offline';

export interface PlanGoalOptions {
  catalog: ToolInfo[];
  /** The configured model, when there is one. */
  llm?: LlmChatClient;
  /** `auto`: the LLM planner when a model is configured, else offline. @default 'auto' */
  planner?: 'auto' | 'offline' | 'llm';
  /** The workflow on the canvas: the result is merged into it and diffed. */
  current?: Workflow;
  validate: ValidateFn;
  signal?: AbortSignal;
}

export const NO_MODEL_FOR_PLANNER =
  'the LLM planner needs a model: set OPENAI_API_KEY (and OPENAI_BASE_URL / AWE_LLM_MODEL for other endpoints) or add a key in Settings, or use the offline planner';

/**
 * A plan never carries `settings.allowTools`: it is a request a person approves, and a
 * model (or a prompt injected into one) must not be able to make it. DESIGN.md §8.
 */
export function withoutAllowTools(workflow: Workflow, keep?: string[]): Workflow {
  const { allowTools: _dropped, ...settings } = workflow.settings;
  return { ...workflow, settings: keep?.length ? { ...settings, allowTools: keep } : settings };
}

export async function planGoal(goal: string, opts: PlanGoalOptions): Promise<PlanResult> {
  const text = goal.trim();
  if (!text) throw badRequest('the goal is empty: describe what the workflow should do');
  const mode = opts.planner ?? 'auto';
  if (mode === 'llm' && !opts.llm) throw badRequest(NO_MODEL_FOR_PLANNER);

  let planner: 'offline' | 'llm';
  let workflow: Workflow;
  let explanation: string;
  let removals: string[] = [];

  if (mode !== 'offline' && opts.llm) {
    try {
      const plan = await planWithLlm(text, opts.catalog, opts.llm, { validate: opts.validate, current: opts.current, signal: opts.signal });
      planner = 'llm';
      ({ workflow, explanation, removals } = plan);
    } catch (err) {
      // `auto` still gives the person a plan when the model is unreachable or keeps failing; `llm` was asked for explicitly.
      if (mode === 'llm' || opts.signal?.aborted) throw err;
      const offline = planOffline(text, opts.catalog, { llm: true });
      planner = 'offline';
      workflow = offline.workflow;
      explanation = `The LLM planner failed (${(err as Error).message.split('\n')[0]}), so this is the offline plan. ${offline.explanation}`;
    }
  } else {
    const offline = planOffline(text, opts.catalog, { llm: !!opts.llm });
    planner = 'offline';
    ({ workflow, explanation } = offline);
  }

  workflow = withoutAllowTools(workflow);
  if (!opts.current) return { workflow, planner, explanation };

  const merged = mergeReplan(opts.current, workflow, removals);
  // A replan keeps the person's own request, never adds to it.
  merged.workflow = withoutAllowTools(merged.workflow, opts.current.settings.allowTools);
  const check = opts.validate(merged.workflow);
  if (merged.diff.kept.length) explanation += ` Kept your nodes: ${merged.diff.kept.join(', ')}.`;
  if (!check.ok) explanation += ` The merged workflow needs attention before it runs:\n${formatProblems(check.problems)}`;
  return { workflow: merged.workflow, planner, explanation, diff: merged.diff };
}
