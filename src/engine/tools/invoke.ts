/**
 * One call of a tool: input checked before `run`, output checked after, and outputs too
 * big to store cut down with a visible marker. Timeouts and retries are the scheduler's
 * (it aborts `ctx.signal`); this layer runs exactly one attempt.
 */
import { z } from 'zod';
import { permanent } from '../errors';
import { formatIssues } from './issues';
import type { ToolContext, ToolSpec } from './types';

/** @default 1 MiB */
export const DEFAULT_MAX_OUTPUT_BYTES = 1024 * 1024;

export interface InvokeOptions {
  /** Largest output (as JSON, UTF-8 bytes) kept as is. @default 1 MiB */
  maxOutputBytes?: number;
}

export async function invokeTool(
  spec: ToolSpec,
  rawInput: unknown,
  ctx: ToolContext,
  opts: InvokeOptions = {},
): Promise<{ output: unknown; truncated: boolean }> {
  const input = parseNow(spec.input, rawInput) ?? (await spec.input.safeParseAsync(rawInput));
  if (!input.success) {
    throw permanent('SCHEMA_INPUT', `${spec.name} rejected its input: ${formatIssues(input.error.issues, 'input')}`);
  }
  const raw = await spec.run(input.data, ctx);
  const output = parseNow(spec.output, raw) ?? (await spec.output.safeParseAsync(raw));
  if (!output.success) {
    throw permanent('SCHEMA_OUTPUT', `${spec.name} returned an invalid output: ${formatIssues(output.error.issues, 'output')}`);
  }
  const cap = opts.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES;
  const cut = capOutput(output.data, cap, spec.name);
  if (cut.truncated) {
    ctx.log('warn', `${spec.name}: output was ${cut.originalBytes} bytes as JSON; cut to fit the ${cap}-byte limit`, {
      originalBytes: cut.originalBytes,
      maxOutputBytes: cap,
    });
  }
  return { output: cut.output, truncated: cut.truncated };
}

/**
 * Synchronous parsing is several times cheaper per call than `safeParseAsync` (and awaits
 * nothing); schemas with async refinements make zod throw, and only those answer
 * undefined here and take the async path.
 */
function parseNow<T>(schema: z.ZodType<T>, value: unknown): z.ZodSafeParseResult<T> | undefined {
  try {
    return schema.safeParse(value);
  } catch (e) {
    if (e instanceof z.core.$ZodAsyncError) return undefined;
    throw e;
  }
}

/** UTF-8 length, counted natively without encoding a copy. */
const byteLength = (s: string) => Buffer.byteLength(s, 'utf8');
const marker = (bytes: number) => `…[truncated ${bytes} bytes]`;

interface StringSlot {
  holder: Record<string | number, unknown>;
  key: string | number;
  value: string;
  /** Bytes this string takes inside the JSON text, per character (escapes, multi-byte). */
  bytesPerChar: number;
}

/**
 * Fits `value` under `cap` bytes of JSON. First every string longer than some length L is
 * cut to L characters plus a marker (L chosen so the estimate fits); if that is not enough
 * (huge arrays of numbers, many small strings), a preview of the JSON text replaces it.
 */
export function capOutput(value: unknown, cap: number, toolName = 'the tool'): { output: unknown; truncated: boolean; originalBytes: number } {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (e) {
    throw permanent('OUTPUT_NOT_JSON', `${toolName} returned an output that cannot be stored as JSON: ${(e as Error).message}`);
  }
  if (json === undefined) return { output: value, truncated: false, originalBytes: 0 };
  const originalBytes = byteLength(json);
  if (originalBytes <= cap) return { output: value, truncated: false, originalBytes };

  // Boxed so a bare string output can be cut like any nested one.
  const box = { root: JSON.parse(json) as unknown };
  const slots = collectStrings(box);
  if (slots.length) {
    const fixed = originalBytes - slots.reduce((sum, s) => sum + s.value.length * s.bytesPerChar, 0);
    const estimate = (limit: number) =>
      fixed +
      slots.reduce(
        (sum, s) => sum + (s.value.length > limit ? limit * s.bytesPerChar + byteLength(marker(s.value.length)) : s.value.length * s.bytesPerChar),
        0,
      );
    let lo = 0;
    let hi = Math.max(...slots.map((s) => s.value.length));
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (estimate(mid) <= cap) lo = mid;
      else hi = mid - 1;
    }
    // The estimate is per-string average; shrink a little more if the real text still overflows.
    for (let limit = lo, tries = 0; tries < 4; tries++, limit = Math.floor(limit / 2)) {
      for (const s of slots) s.holder[s.key] = s.value.length > limit ? cutString(s.value, limit) : s.value;
      const bytes = byteLength(JSON.stringify(box.root));
      if (bytes <= cap) return { output: box.root, truncated: true, originalBytes };
      if (limit === 0) break;
    }
  }
  // Re-encoding the preview can at most double it (`"` → `\"`), so half the cap always fits.
  const previewBytes = Math.max(0, Math.floor(cap / 2) - 64);
  return { output: { truncated: true, preview: prefixBytes(json, previewBytes) }, truncated: true, originalBytes };
}

function collectStrings(root: unknown): StringSlot[] {
  const slots: StringSlot[] = [];
  const stack: unknown[] = [root];
  while (stack.length) {
    const v = stack.pop();
    if (!v || typeof v !== 'object') continue;
    const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    for (const [key, child] of entries) {
      if (typeof child === 'string') {
        if (child.length === 0) continue;
        const bytesPerChar = (byteLength(JSON.stringify(child)) - 2) / child.length;
        slots.push({ holder: v as Record<string | number, unknown>, key, value: child, bytesPerChar });
      } else if (child && typeof child === 'object') stack.push(child);
    }
  }
  return slots;
}

/** Keeps `limit` characters (never half a surrogate pair) and says how many bytes went. */
function cutString(s: string, limit: number): string {
  let end = limit;
  const code = s.charCodeAt(end - 1);
  if (end > 0 && code >= 0xd800 && code <= 0xdbff) end -= 1;
  const kept = s.slice(0, end);
  return kept + marker(byteLength(s) - byteLength(kept));
}

/** The first `n` UTF-8 bytes of `s`, ending on a whole character. */
function prefixBytes(s: string, n: number): string {
  const bytes = Buffer.from(s.slice(0, n), 'utf8');
  if (bytes.length <= n) return s.slice(0, n);
  let end = n;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
  return new TextDecoder().decode(bytes.subarray(0, end));
}
