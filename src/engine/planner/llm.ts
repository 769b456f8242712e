/**
 * The LLM planner: the goal, the tool catalog (names, descriptions, input schemas) and the
 * workflow JSON Schema go to the model, which answers with structured output. The answer
 * is validated with the engine's validator; problems are sent back for repair a bounded
 * number of times, then planning fails with the last problems listed.
 */
import type { NodeKind, Problem, ToolInfo, Workflow } from '../../contract';
import { NODE_KINDS, toolOf } from '../../shared/kinds';
import { problemLines } from '../../shared/problems';
import { EngineError } from '../errors';
import { parseJsonReply } from '../tools/llm/json';
import { workflowJsonSchema } from '../workflow/schema';
import type { LlmChatClient, LlmMessage } from '../tools/types';
import { fingerprint, slugify } from './goal';

export interface ValidateFn {
  (doc: unknown): { ok: boolean; problems: Problem[]; workflow?: Workflow };
}

export interface LlmPlanOptions {
  /** The engine's validator (schema + graph rules + tools). */
  validate: ValidateFn;
  /** The workflow on the canvas, when replanning. */
  current?: Workflow;
  signal?: AbortSignal;
  /** Repair requests after the first answer before giving up. @default 3 */
  maxRepairs?: number;
  /** Model override. @default the client's model */
  model?: string;
}

export interface LlmPlan {
  workflow: Workflow;
  explanation: string;
  /** Ids of current nodes the model proposes to remove (replanning only). */
  removals: string[];
  /** Model answers it took (1 = right first time). */
  rounds: number;
  usage: { promptTokens: number; completionTokens: number; costUsd: number };
}

/** Thrown when every round failed; `problems` are the last round's. */
export class PlanningError extends EngineError {
  declare readonly problems: Problem[];
  constructor(message: string, problems: Problem[]) {
    super('invalid-workflow', message, { problems });
    this.name = 'PlanningError';
  }
}

function answerSchema(): Record<string, unknown> {
  // The shipped file's schema, without the keys that describe a file (the model answers with a value).
  const { $schema: _schema, $id: _id, title: _title, description: _description, ...workflow } = withoutAllowToolsProperty(workflowJsonSchema());
  return {
    type: 'object',
    properties: {
      workflow,
      explanation: { type: 'string', description: 'Two or three sentences for the person: what the plan does and any assumption made.' },
      removals: { type: 'array', items: { type: 'string' }, description: 'Replanning only: ids of current nodes to remove.' },
    },
    required: ['workflow', 'explanation'],
  };
}

const SYSTEM = `You are the planner of AWE, a workflow engine. You turn a goal into a workflow: a DAG of typed nodes that call real tools.
Rules:
- Use only tools from the catalog, by exact name, with inputs that satisfy their input schema.
- Node kinds: ${Object.values(NODE_KINDS)
  .map((k) => k.plannerHint)
  .join(', ')}.
- Inputs may reference earlier outputs with templates: "{{nodes.<id>.output.<path>}}" and run inputs "{{input.<name>}}" (declared in settings.inputs). A referenced node must be an ancestor (reachable through edges).
- Ids match ^[A-Za-z_][A-Za-z0-9_-]*$ and are unique. Every edge joins two existing nodes. No cycles.
- Give a node "acceptance" (criteria, requiredFields, nonEmpty, regex) when its output can be checked, and "outputSchema" (JSON Schema) when you know its output shape.
- Prefer few, concrete nodes. Save final results with artifact.save when that tool exists.
Answer with JSON: {"workflow": {...}, "explanation": "...", "removals": [...]}.`;

export async function planWithLlm(goal: string, catalog: ToolInfo[], llm: LlmChatClient, opts: LlmPlanOptions): Promise<LlmPlan> {
  const maxRepairs = opts.maxRepairs ?? 3;
  const signal = opts.signal ?? new AbortController().signal;
  const messages: LlmMessage[] = [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: firstRequest(goal, catalog, opts.current) },
  ];
  const usage = { promptTokens: 0, completionTokens: 0, costUsd: 0 };
  const jsonSchema = { name: 'workflow_plan', schema: answerSchema() };
  let problems: Problem[] = [];

  for (let round = 1; round <= maxRepairs + 1; round++) {
    const res = await llm.chat({ messages, model: opts.model, temperature: 0, jsonSchema }, signal);
    usage.promptTokens += res.usage.promptTokens;
    usage.completionTokens += res.usage.completionTokens;
    usage.costUsd += res.usage.costUsd;

    const answer = readAnswer(res.content, goal);
    if ('problems' in answer) {
      problems = answer.problems;
    } else {
      const result = opts.validate(answer.doc);
      problems = [...result.problems, ...catalogProblems(answer.doc, catalog, result.problems)];
      if (result.ok && problems.length === 0 && result.workflow) {
        return { workflow: result.workflow, explanation: answer.explanation, removals: answer.removals, rounds: round, usage };
      }
    }
    messages.push({ role: 'assistant', content: res.content ?? '' });
    messages.push({ role: 'user', content: repairRequest(problems) });
  }
  throw new PlanningError(
    `the model could not produce a valid workflow after ${maxRepairs + 1} attempts (${maxRepairs} repairs); last problems:\n${formatProblems(problems)}`,
    problems,
  );
}

function firstRequest(goal: string, catalog: ToolInfo[], current: Workflow | undefined): string {
  const tools = catalog.map((t) => ({ name: t.name, description: t.description, effects: t.effects, inputSchema: stripSchemaMarker(t.inputSchema) }));
  const parts = [`Goal: ${goal}`, `Tool catalog (JSON):\n${JSON.stringify(tools)}`];
  if (current) {
    parts.push(
      `The person's current workflow (they may have edited it by hand). Keep its nodes and ids where they still serve the goal; list in "removals" only the ids you are sure must go:\n${JSON.stringify({ ...current, nodes: current.nodes.map(({ position: _p, ...n }) => n) })}`,
    );
  }
  parts.push('Return the complete workflow as JSON matching the response schema.');
  return parts.join('\n\n');
}

function repairRequest(problems: Problem[]): string {
  return `The workflow you returned is not valid. Fix every problem below and return the complete corrected JSON (same response schema):\n${formatProblems(problems)}`;
}

export function formatProblems(problems: Problem[]): string {
  return problemLines(problems, { code: true, path: true })
    .map((line) => `- ${line}`)
    .join('\n');
}

type Answer = { doc: Record<string, unknown>; explanation: string; removals: string[] } | { problems: Problem[] };

/** Parses the model's answer; fills the document fields a model tends to omit (id, name, goal). */
function readAnswer(content: string | null, goal: string): Answer {
  let parsed: unknown;
  try {
    parsed = parseJsonReply(content);
  } catch (e) {
    return { problems: [{ code: 'parse', message: `the reply is not valid JSON: ${(e as Error).message}` }] };
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { problems: [{ code: 'parse', message: 'the reply must be a JSON object {"workflow": {...}, "explanation": "..."}' }] };
  }
  const obj = parsed as Record<string, unknown>;
  // Some models answer with the bare workflow instead of the wrapper.
  const raw = obj.workflow && typeof obj.workflow === 'object' ? obj.workflow : 'nodes' in obj ? obj : undefined;
  if (!raw || Array.isArray(raw)) return { problems: [{ code: 'schema', message: 'the reply has no "workflow" object', path: 'workflow' }] };
  const doc: Record<string, unknown> = { ...(raw as Record<string, unknown>) };
  // Whatever the model says, a plan never grants itself tools (see withoutAllowTools).
  if (doc.settings && typeof doc.settings === 'object' && !Array.isArray(doc.settings)) {
    const { allowTools: _dropped, ...settings } = doc.settings as Record<string, unknown>;
    doc.settings = settings;
  }
  doc.id ??= `plan-${slugify(goal)}-${fingerprint(goal).slice(0, 6)}`;
  doc.name ??= goal.length > 80 ? `${goal.slice(0, 79)}…` : goal;
  doc.goal ??= goal;
  const explanation = typeof obj.explanation === 'string' && obj.explanation.trim() ? obj.explanation : 'Plan made by the model.';
  const removals = Array.isArray(obj.removals) ? obj.removals.filter((r): r is string => typeof r === 'string') : [];
  return { doc, explanation, removals };
}

/** Tools the catalog lacks, when the validator has not already said so for that node. */
function catalogProblems(doc: unknown, catalog: ToolInfo[], already: Problem[]): Problem[] {
  const names = new Set(catalog.map((t) => t.name));
  const reported = new Set(already.filter((p) => p.code === 'unknown-tool' || p.code === 'missing-tool').map((p) => p.nodeId));
  const nodes = (doc as { nodes?: unknown }).nodes;
  if (!Array.isArray(nodes)) return [];
  const problems: Problem[] = [];
  nodes.forEach((n, i) => {
    if (!n || typeof n !== 'object') return;
    const { id, kind, tool } = n as { id?: unknown; kind?: unknown; tool?: unknown };
    const name = typeof tool === 'string' ? tool : typeof kind === 'string' && Object.hasOwn(NODE_KINDS, kind) ? toolOf({ kind: kind as NodeKind }) : undefined;
    if (!name || names.has(name) || reported.has(typeof id === 'string' ? id : undefined)) return;
    problems.push({
      code: 'unknown-tool',
      message: `tool "${name}" is not in the catalog; use one of: ${[...names].join(', ')}`,
      nodeId: typeof id === 'string' ? id : undefined,
      path: `nodes[${i}].tool`,
    });
  });
  return problems;
}

/** The workflow schema the model sees has no `settings.allowTools`: planners never request tools. */
function withoutAllowToolsProperty(schema: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(schema) as { properties?: { settings?: { properties?: Record<string, unknown> } } };
  delete copy.properties?.settings?.properties?.allowTools;
  return copy as Record<string, unknown>;
}

function stripSchemaMarker(schema: Record<string, unknown>): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}
