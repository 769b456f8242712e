/**
 * The JSON Schema for `*.awe.json`, generated from the zod model so it cannot drift:
 * `npm run schema` writes it to resources/awe.schema.json, and a test fails when the
 * shipped file differs from a fresh generation.
 */
import { z } from 'zod';
import { Workflow } from '../../contract';
import { WORKFLOW_SCHEMA_ID } from '../../shared/workflow-text';

let generated: Record<string, unknown> | undefined;

/**
 * The one generator of the workflow JSON Schema: the shipped file and the schema the LLM
 * planner answers to. Made once per process; callers that change it copy it first.
 */
export function workflowJsonSchema(): Record<string, unknown> {
  generated ??= generate();
  return generated;
}

function generate(): Record<string, unknown> {
  // `input`: what a file may hold before defaults are applied (version, edges, settings optional).
  const { $schema, ...rest } = z.toJSONSchema(Workflow, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return {
    $schema,
    $id: WORKFLOW_SCHEMA_ID,
    title: 'AWE workflow (*.awe.json)',
    description: 'A goal-driven agentic workflow: nodes (tool calls, model calls, conditions, maps, inputs, outputs, approvals) joined by edges into a DAG.',
    ...rest,
  };
}

/** The file's text: stable key order and a trailing newline, so regenerating is a no-op in git. */
export function workflowJsonSchemaText(): string {
  return `${JSON.stringify(workflowJsonSchema(), null, 2)}\n`;
}
