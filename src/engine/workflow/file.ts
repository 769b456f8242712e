/**
 * Reading and writing `*.awe.json`. Whatever a file holds — not JSON, 50 MB, nested
 * 10,000 levels deep — the answer is a list of problems, never a crash: size is checked
 * before reading, depth and syntax by one linear scan before `JSON.parse`.
 */
import { readFile, stat } from 'node:fs/promises';
import type { Problem, Workflow } from '../../contract';
import { scanJson } from './json-scan';
import { validateWorkflow } from './validate';
import type { ToolLookup, ValidationResult } from './validate';
import { WORKFLOW_SCHEMA_ID } from './schema';

/** Larger documents are refused unread. @default 20 MB */
export const MAX_WORKFLOW_FILE_BYTES = 20 * 1024 * 1024;
/** Deeper nesting is refused before parsing (recursive walkers would overflow). @default 200 */
export const MAX_WORKFLOW_NESTING = 200;

const MB = 1024 * 1024;
const tooLarge = (bytes: number): Problem => ({
  code: 'too-large',
  message: `file is ${(bytes / MB).toFixed(1)} MB; the limit is ${MAX_WORKFLOW_FILE_BYTES / MB} MB`,
});
const fail = (problem: Problem): { ok: false; problems: Problem[] } => ({ ok: false, problems: [problem] });

/**
 * The document in a workflow's text, after the size, nesting and syntax checks every way
 * in shares (files, the API's import, pasted text); problems instead when one fails.
 */
export function parseWorkflowJson(text: string): { ok: true; doc: unknown } | { ok: false; problems: Problem[] } {
  // UTF-8 takes at most 3 bytes per UTF-16 unit, so most texts skip the byte count.
  if (text.length * 3 > MAX_WORKFLOW_FILE_BYTES) {
    const bytes = Buffer.byteLength(text, 'utf8');
    if (bytes > MAX_WORKFLOW_FILE_BYTES) return fail(tooLarge(bytes));
  }
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text; // editors on Windows add a BOM
  const scan = scanJson(body, MAX_WORKFLOW_NESTING);
  if (scan.maxDepth > MAX_WORKFLOW_NESTING) {
    return fail({ code: 'too-large', message: `nested ${scan.maxDepth} levels deep; the limit is ${MAX_WORKFLOW_NESTING}` });
  }
  if (scan.error) return fail({ code: 'parse', message: `not valid JSON: ${scan.error.message}` });
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch (e) {
    // The scan accepts exactly JSON's grammar, so this is only a safety net.
    return fail({ code: 'parse', message: `not valid JSON: ${(e as Error).message.slice(0, 300)}` });
  }
  return { ok: true, doc };
}

/** Parses and validates a workflow document's text. */
export function parseWorkflowText(text: string, tools: ToolLookup): ValidationResult {
  const parsed = parseWorkflowJson(text);
  return parsed.ok ? validateWorkflow(parsed.doc, tools) : { ok: false, problems: parsed.problems };
}

/** Reads, parses and validates a `*.awe.json` file; unreadable files are problems too. */
export async function readWorkflowFile(path: string, tools: ToolLookup): Promise<ValidationResult> {
  let text: string;
  try {
    const info = await stat(path);
    if (info.isDirectory()) return fail({ code: 'parse', message: `${path} is a folder, not a workflow file` });
    if (info.size > MAX_WORKFLOW_FILE_BYTES) return fail(tooLarge(info.size));
    text = await readFile(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message;
    return fail({ code: 'parse', message: `cannot read ${path}: ${why}` });
  }
  return parseWorkflowText(text, tools);
}

/** Pretty JSON for saving, pointing editors at the shipped JSON Schema. */
export function serializeWorkflow(w: Workflow): string {
  const { $schema: _old, ...rest } = w;
  return `${JSON.stringify({ $schema: WORKFLOW_SCHEMA_ID, ...rest }, null, 2)}\n`;
}
