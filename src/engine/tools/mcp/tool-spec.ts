/**
 * Turns one tool listed by an MCP server into an AWE `ToolSpec` named `mcp.<server>.<tool>`:
 * its JSON Schema checked with ajv (errors name the field), effects from its annotations.
 */
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { z } from 'zod';
import type { ToolEffects } from '../../../contract';
import { permanent } from '../../errors';
import type { ToolContext, ToolSpec } from '../types';

/** A tool as `tools/list` describes it (the parts we use). */
export interface McpListedTool {
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  outputSchema?: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

/** What every MCP tool returns in a workflow. */
export interface McpToolOutput {
  content: Record<string, unknown>[];
  structuredContent?: Record<string, unknown>;
  /** The text parts of `content`, joined by newlines: what downstream templates usually want. */
  text: string;
}

export type McpCall = (tool: string, args: Record<string, unknown>, ctx: ToolContext) => Promise<McpToolOutput>;

// Servers write draft-07 and 2020-12 schemas; formats are not checked (the server will).
const draft07 = new Ajv({ allErrors: true, strict: false, validateFormats: false });
const draft2020 = new Ajv2020({ allErrors: true, strict: false, validateFormats: false });

/** Compiles a server's schema; a schema ajv cannot read validates nothing rather than hiding the tool. */
export function compileSchema(schema: Record<string, unknown>): ValidateFunction | undefined {
  const { $schema, ...rest } = schema;
  try {
    return (typeof $schema === 'string' && $schema.includes('2020-12') ? draft2020 : draft07).compile(rest);
  } catch {
    return undefined;
  }
}

function fieldOf(error: ErrorObject): string[] {
  const path = error.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  if (error.keyword === 'required') path.push(String((error.params as { missingProperty: string }).missingProperty));
  if (error.keyword === 'additionalProperties') path.push(String((error.params as { additionalProperty: string }).additionalProperty));
  return path;
}

/**
 * One entry per schema violation: `reason` for zod issues (the engine prefixes the path),
 * `message` naming the field for errors thrown directly.
 */
export function describeSchemaErrors(errors: ErrorObject[]): { path: string[]; reason: string; message: string }[] {
  return errors.map((error) => {
    const path = fieldOf(error);
    let reason = error.message ?? 'is invalid';
    if (error.keyword === 'required') reason = 'missing (required)';
    if (error.keyword === 'additionalProperties') reason = 'is not an allowed field';
    if (error.keyword === 'enum') reason += `: ${JSON.stringify((error.params as { allowedValues: unknown[] }).allowedValues)}`;
    const field = path.length > 0 ? `field '${path.join('.')}'` : 'input';
    return { path, reason, message: `${field}: ${reason}` };
  });
}

/** A zod schema that defers to ajv, so the engine's usual input check names MCP fields too. */
function zodFromJsonSchema<T>(validate: ValidateFunction | undefined, base: z.ZodType<T>): z.ZodType<T> {
  return base.superRefine((value, ctx) => {
    if (!validate || validate(value)) return;
    for (const { path, reason } of describeSchemaErrors(validate.errors ?? [])) ctx.addIssue({ code: 'custom', path, message: reason });
  }) as unknown as z.ZodType<T>;
}

/** readOnlyHint → 'read'; anything else may change the world. */
export function effectsOf(annotations: Record<string, unknown> | undefined): ToolEffects {
  return annotations?.readOnlyHint === true ? 'read' : 'write';
}

export function mcpToolSpec(server: string, serverVersion: string, tool: McpListedTool, call: McpCall, timeoutMs: number): ToolSpec<Record<string, unknown>, McpToolOutput> {
  const validateInput = compileSchema(tool.inputSchema);
  const validateOutput = tool.outputSchema ? compileSchema(tool.outputSchema) : undefined;
  const name = `mcp.${server}.${tool.name}`;
  const output = z.object({
    content: z.array(z.record(z.string(), z.unknown())),
    structuredContent: zodFromJsonSchema(validateOutput, z.record(z.string(), z.unknown())).optional(),
    text: z.string(),
  });
  const annotations = { ...(tool.annotations ?? {}) };
  return {
    name,
    title: tool.title ?? (typeof annotations.title === 'string' ? annotations.title : undefined) ?? tool.name,
    description: tool.description ?? `Tool '${tool.name}' of MCP server '${server}'.`,
    // Part of the cache key: a new server release may answer differently.
    version: serverVersion,
    input: zodFromJsonSchema(validateInput, z.record(z.string(), z.unknown())),
    output,
    inputJsonSchema: tool.inputSchema,
    outputJsonSchema: {
      type: 'object',
      properties: {
        content: { type: 'array', items: { type: 'object' } },
        ...(tool.outputSchema ? { structuredContent: tool.outputSchema } : {}),
        text: { type: 'string' },
      },
      required: ['content', 'text'],
    },
    // The policy gate asks before tools that are not read-only; destructiveHint stays in annotations for it.
    effects: effectsOf(tool.annotations),
    timeoutMs,
    source: server,
    annotations,
    async run(input, ctx) {
      // Checked here as well, so a call that bypassed the engine's check still names the field.
      if (validateInput && !validateInput(input)) {
        const problems = describeSchemaErrors(validateInput.errors ?? []).map((p) => p.message);
        throw permanent('INVALID_INPUT', `${name}: ${problems.join('; ')}`);
      }
      return call(tool.name, input, ctx);
    },
  };
}
