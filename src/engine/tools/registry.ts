/**
 * The tool catalog: every tool a workflow may name, built-in or from an MCP server.
 * The scheduler looks tools up here, the validator checks names and literal inputs
 * against it, and the UI/planner read `infos()`.
 */
import { z } from 'zod';
import type { ToolInfo } from '../../contract';
import type { ToolSpec } from './types';

export class ToolRegistry {
  private readonly tools = new Map<string, ToolSpec>();
  /** JSON Schema derivation is not free; specs are immutable once registered. */
  private readonly infoCache = new WeakMap<ToolSpec, ToolInfo>();

  /** Adds a tool; a name already taken is an error naming both sources. */
  register(spec: ToolSpec): void {
    const existing = this.tools.get(spec.name);
    if (existing) {
      throw new Error(
        `tool "${spec.name}" is already registered (from ${existing.source ?? 'builtin'}); ` +
          `cannot register it again from ${spec.source ?? 'builtin'}`,
      );
    }
    this.tools.set(spec.name, spec);
  }

  /** Removes every tool that came from one source (an MCP server going away). */
  unregisterSource(source: string): void {
    for (const [name, spec] of this.tools) {
      if ((spec.source ?? 'builtin') === source) this.tools.delete(name);
    }
  }

  get(name: string): ToolSpec | undefined {
    return this.tools.get(name);
  }

  has(name: string): boolean {
    return this.tools.has(name);
  }

  /** Tools in registration order. */
  list(): ToolSpec[] {
    return [...this.tools.values()];
  }

  /** What the catalog shows for one tool, with JSON Schemas derived from zod when not given. */
  info(spec: ToolSpec): ToolInfo {
    const cached = this.infoCache.get(spec);
    if (cached) return cached;
    const info: ToolInfo = {
      name: spec.name,
      title: spec.title,
      description: spec.description,
      effects: spec.effects,
      source: spec.source ?? 'builtin',
      version: spec.version,
      inputSchema: spec.inputJsonSchema ?? jsonSchemaOf(spec.input, 'input'),
      outputSchema: spec.outputJsonSchema ?? jsonSchemaOf(spec.output, 'output'),
      needsApproval: needsApproval(spec),
    };
    if (spec.annotations) info.annotations = spec.annotations;
    this.infoCache.set(spec, info);
    return info;
  }

  infos(): ToolInfo[] {
    return this.list().map((spec) => this.info(spec));
  }
}

/**
 * zod refuses some schemas (transforms, custom types); the catalog then shows an
 * open schema rather than losing the whole tool.
 */
function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  try {
    return z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  } catch {
    return {};
  }
}

/**
 * Whether the policy gate asks a person before the tool's first call in a run.
 * Built-ins are judged by their declared effects; MCP tools are trusted only when the
 * server says they are read-only and not destructive.
 */
export function needsApproval(spec: ToolSpec): boolean {
  if (spec.effects === 'write' || spec.effects === 'network') return true;
  const source = spec.source ?? 'builtin';
  if (source === 'builtin') return false;
  const a = spec.annotations ?? {};
  if (a.destructiveHint === true) return true;
  return a.readOnlyHint !== true;
}

/**
 * Whether `toolName` is on an allow list: exact names, `prefix.*` for every tool under
 * a prefix (`mcp.files.*`), and `*` for everything.
 */
export function isAllowed(toolName: string, allow: readonly string[]): boolean {
  for (const pattern of allow) {
    if (pattern === '*' || pattern === toolName) return true;
    if (pattern.endsWith('.*') && toolName.startsWith(pattern.slice(0, -1))) return true;
  }
  return false;
}
