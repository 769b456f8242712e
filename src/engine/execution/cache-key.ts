/**
 * Cache keys for cacheable nodes (DESIGN.md §4): the same tool, tool version, resolved
 * input and model give the same key, across runs and restarts, whatever the key order.
 */
import { createHash } from 'node:crypto';
import { stableJson } from '../../contract';

export function cacheKey(parts: { tool: string; version: string; input: unknown; model?: string }): string {
  const text = stableJson([parts.tool, parts.version, parts.input, parts.model ?? null]);
  return createHash('sha256').update(text).digest('hex');
}
