/**
 * The tool catalog as plain data, so a worker thread can validate against the same tools:
 * built-ins are rebuilt there from code; every other tool (MCP, extra) travels as its
 * input JSON Schema and is checked with the same ajv wrapper MCP tools use.
 */
import { z } from 'zod';
import { mcpToolSpec } from '../tools/mcp/tool-spec';
import { builtinTools } from '../tools/builtins';
import type { ToolSpec } from '../tools/types';
import type { ToolLookup } from './validate';

export interface CatalogEntry {
  name: string;
  builtin: boolean;
  inputJsonSchema?: Record<string, unknown>;
}

export function catalogOf(tools: ToolLookup): CatalogEntry[] {
  const builtins = new Map(builtinTools().map((t) => [t.name, t.version]));
  return (tools.list?.() ?? []).map((spec) => {
    if (spec.source === 'builtin' && builtins.get(spec.name) === spec.version) return { name: spec.name, builtin: true };
    return { name: spec.name, builtin: false, inputJsonSchema: spec.inputJsonSchema ?? jsonSchemaOf(spec) };
  });
}

export function catalogLookup(catalog: CatalogEntry[]): ToolLookup {
  const builtins = new Map(builtinTools().map((t) => [t.name, t]));
  const specs = new Map<string, ToolSpec>();
  for (const entry of catalog) {
    const builtin = entry.builtin ? builtins.get(entry.name) : undefined;
    if (builtin) specs.set(entry.name, builtin);
    else {
      const spec = mcpToolSpec('catalog', '0', { name: entry.name, inputSchema: entry.inputJsonSchema ?? { type: 'object' } }, () => Promise.reject(new Error('not callable')), 0);
      specs.set(entry.name, { ...spec, name: entry.name } as unknown as ToolSpec);
    }
  }
  return { get: (name) => specs.get(name), list: () => [...specs.values()] };
}

function jsonSchemaOf(spec: ToolSpec): Record<string, unknown> {
  try {
    return z.toJSONSchema(spec.input, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  } catch {
    return { type: 'object' };
  }
}
