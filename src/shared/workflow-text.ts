/**
 * A workflow's text (`*.awe.json`), both ways: the document in a text after the size,
 * nesting and syntax checks every way in shares (files, the API's import, pasted text), and
 * the text a workflow is saved or exported as. Whatever a text holds — not JSON, 50 MB,
 * nested 10,000 levels deep — the answer is a list of problems, never a crash: depth and
 * syntax are checked by one linear scan before `JSON.parse`.
 *
 * Pure: imports only the contract; no Node APIs, no DOM.
 */
import type { Problem, Workflow } from '../contract';
import { scanJson } from './json-scan';

/** The workflow JSON Schema's `$id`, written as `$schema` into saved workflows. */
export const WORKFLOW_SCHEMA_ID = 'https://awe.dev/schema/awe.schema.json';

/** Larger documents are refused unread. @default 20 MB */
export const MAX_WORKFLOW_FILE_BYTES = 20 * 1024 * 1024;
/** Deeper nesting is refused before parsing (recursive walkers would overflow). @default 200 */
export const MAX_WORKFLOW_NESTING = 200;

const MB = 1024 * 1024;

/** The problem for a text or file of `bytes` over the limit. */
export const tooLargeProblem = (bytes: number): Problem => ({
  code: 'too-large',
  message: `file is ${(bytes / MB).toFixed(1)} MB; the limit is ${MAX_WORKFLOW_FILE_BYTES / MB} MB`,
});
const fail = (problem: Problem): { ok: false; problems: Problem[] } => ({ ok: false, problems: [problem] });

/** Bytes of `text` as UTF-8 (an unpaired surrogate is written as 3 bytes, as encoders do). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

/**
 * The document in a workflow's text, after the size, nesting and syntax checks every way
 * in shares (files, the API's import, pasted text); problems instead when one fails.
 */
export function parseWorkflowJson(text: string): { ok: true; doc: unknown } | { ok: false; problems: Problem[] } {
  // UTF-8 takes at most 3 bytes per UTF-16 unit, so most texts skip the byte count.
  if (text.length * 3 > MAX_WORKFLOW_FILE_BYTES) {
    const bytes = utf8Length(text);
    if (bytes > MAX_WORKFLOW_FILE_BYTES) return fail(tooLargeProblem(bytes));
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

/** Pretty JSON for saving, pointing editors at the shipped JSON Schema. */
export function serializeWorkflow(w: Workflow): string {
  const { $schema: _old, ...rest } = w;
  return `${JSON.stringify({ $schema: WORKFLOW_SCHEMA_ID, ...rest }, null, 2)}\n`;
}
