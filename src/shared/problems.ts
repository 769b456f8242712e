/**
 * Validation problems in words, the same in every place that shows them: the editor's
 * toasts, the CLI, the planner's repair request to a model, and the one-line summary an
 * error carries. (zod issues become words in src/contract/issues.ts.)
 *
 * Pure: imports only the contract; no Node APIs, no DOM.
 */
import type { Problem } from '../contract';

export interface ProblemLineOptions {
  /** Lead with the problem's code, `[cycle] …`: for readers that act on kinds (the CLI, a model). */
  code?: boolean;
  /** End with the JSON path inside the document, ` (at nodes[3].inputs.x)`, when it has one. */
  path?: boolean;
}

/**
 * One problem as a line: the node or edge it is about, unless the message already names
 * it (`node "fetch": …`), then what is wrong.
 */
export function problemLine(p: Problem, options: ProblemLineOptions = {}): string {
  const named = (p.nodeId !== undefined && p.message.includes(`"${p.nodeId}"`)) || (p.edgeId !== undefined && p.message.includes(`"${p.edgeId}"`));
  const where = named ? '' : p.nodeId !== undefined ? `node "${p.nodeId}": ` : p.edgeId !== undefined ? `edge "${p.edgeId}": ` : '';
  const path = options.path && p.path ? ` (at ${p.path})` : '';
  return `${options.code ? `[${p.code}] ` : ''}${where}${p.message}${path}`;
}

export function problemLines(problems: readonly Problem[], options?: ProblemLineOptions): string[] {
  return problems.map((p) => problemLine(p, options));
}

/** `3 problems: a; b; c` — the first `max` problems, for an error's one-line message. */
export function problemSummary(problems: readonly Problem[], max = 5): string {
  const n = problems.length;
  const shown = problems.slice(0, max).map((p) => problemLine(p));
  const more = n > max ? `; and ${n - max} more` : '';
  return `${n} problem${n === 1 ? '' : 's'}: ${shown.join('; ')}${more}`;
}
