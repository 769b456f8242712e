/**
 * Reading `*.awe.json` files: size checked before reading, then the same parse and
 * validation as any workflow text (the pure text side: src/shared/workflow-text.ts).
 */
import { readFile, stat } from 'node:fs/promises';
import type { Problem } from '../../contract';
import { MAX_WORKFLOW_FILE_BYTES, parseWorkflowJson, tooLargeProblem } from '../../shared/workflow-text';
import { validateWorkflow } from './validate';
import type { ToolLookup, ValidationResult } from './validate';

const fail = (problem: Problem): { ok: false; problems: Problem[] } => ({ ok: false, problems: [problem] });

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
    if (info.size > MAX_WORKFLOW_FILE_BYTES) return fail(tooLargeProblem(info.size));
    text = await readFile(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EACCES' ? 'permission denied' : err.message;
    return fail({ code: 'parse', message: `cannot read ${path}: ${why}` });
  }
  return parseWorkflowText(text, tools);
}
