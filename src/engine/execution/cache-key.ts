/**
 * Cache keys for cacheable nodes (DESIGN.md §4): the same tool, tool version, resolved
 * input and model give the same key, across runs and restarts, whatever the key order.
 */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so equal values always give equal text. */
export function stableStringify(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableStringify).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableStringify(obj[k])}`).join(',')}}`;
}

export function cacheKey(parts: { tool: string; version: string; input: unknown; model?: string }): string {
  const text = stableStringify([parts.tool, parts.version, parts.input, parts.model ?? null]);
  return createHash('sha256').update(text).digest('hex');
}
