/**
 * JSON with object keys sorted, so equal values always give equal text whatever their key
 * order: cache keys, "did this definition change", run comparison. One implementation for
 * every layer (the contract's own revision checks need it, so it lives here, below the
 * engine and the renderer). Its output is part of stored cache keys: do not change it.
 *
 * Imports nothing of ours; no Node APIs, no DOM.
 */
export function stableJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${stableJson(obj[k])}`).join(',')}}`;
}
