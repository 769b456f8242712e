/**
 * The critic: checks a node's output against its `acceptance` before the node is
 * accepted. Rule checks run everywhere; plain-language criteria go to an LLM judge
 * when one is configured. A rejected output is reworked by the scheduler.
 */
import type { Acceptance } from '../../contract';

export type Judge = (criteria: string[], output: unknown, signal: AbortSignal) => Promise<{ pass: boolean; reasons: string[] }>;

export interface CriticVerdict {
  pass: boolean;
  reasons: string[];
  judge: 'rules' | 'llm';
}

/** How many times a rejected output is reworked before the node fails. @default 1 */
export const DEFAULT_MAX_REWORK = 1;

export async function reviewOutput(acceptance: Acceptance, output: unknown, judge: Judge | undefined, signal: AbortSignal): Promise<CriticVerdict> {
  const reasons = checkRules(acceptance, output);
  if (reasons.length) return { pass: false, reasons, judge: 'rules' };
  const criteria = acceptance.criteria ?? [];
  if (!judge || criteria.length === 0) return { pass: true, reasons: [], judge: 'rules' };
  const verdict = await judge(criteria, output, signal);
  return { pass: verdict.pass, reasons: verdict.reasons, judge: 'llm' };
}

/** Every rule the output breaks, in words a person can act on. */
export function checkRules(acceptance: Acceptance, output: unknown): string[] {
  const reasons: string[] = [];
  for (const path of acceptance.requiredFields ?? []) {
    const found = at(output, path);
    if (!found.present) reasons.push(`required field "${path}" is missing`);
    else if (isEmpty(found.value)) reasons.push(`required field "${path}" is empty`);
  }
  const subject = acceptance.field ? at(output, acceptance.field) : { present: true, value: output };
  const where = acceptance.field ? `field "${acceptance.field}"` : 'the output';
  if (acceptance.nonEmpty && (!subject.present || isEmpty(subject.value))) reasons.push(`${where} is empty`);
  if (acceptance.regex !== undefined) {
    let re: RegExp | undefined;
    try {
      re = new RegExp(acceptance.regex);
    } catch (e) {
      reasons.push(`acceptance.regex is not a valid regular expression: ${(e as Error).message}`);
    }
    if (re && !re.test(textOf(subject.value))) reasons.push(`${where} does not match /${acceptance.regex}/`);
  }
  return reasons;
}

function at(value: unknown, path: string): { present: boolean; value?: unknown } {
  let cur = value;
  for (const key of path.split('.').filter(Boolean)) {
    if (cur === null || typeof cur !== 'object' || !(key in (cur as object))) return { present: false };
    cur = (cur as Record<string, unknown>)[key];
  }
  return { present: cur !== undefined, value: cur };
}

function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === 'string') return v.trim() === '';
  if (Array.isArray(v)) return v.length === 0;
  if (typeof v === 'object') return Object.keys(v).length === 0;
  return false;
}

/** The text a regex is matched against: a string as is, a `{text}` output's text, else JSON. */
function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as { text?: unknown }).text === 'string') return (v as { text: string }).text;
  return JSON.stringify(v) ?? '';
}

/** The feedback handed to the reworked attempt as its `_feedback` input. */
export function feedbackText(reasons: string[]): string {
  return `The previous output was rejected: ${reasons.join('; ')}. Fix these problems.`;
}
