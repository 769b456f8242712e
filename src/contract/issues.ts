/**
 * zod issues in words a person reads: `name: is required`, `ms: should be a number, not
 * a text`, `format: should be one of: text, markdown, json`. One formatter for every place a
 * schema speaks to a person (workflow validation, tool input and output, API requests),
 * so no message reads "expected nonoptional" or ">=1 characters".
 *
 * Imports nothing of ours; no Node APIs, no DOM.
 */
import type { z } from 'zod';

export type Issue = z.core.$ZodIssue;

/** `input` + ['items', 0, 'title'] → `input.items[0].title`. */
export function formatPath(root: string, path: readonly PropertyKey[]): string {
  let out = root;
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else if (typeof key === 'string' && /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(key)) out += out ? `.${key}` : key;
    else out += `[${JSON.stringify(String(key))}]`;
  }
  return out;
}

/** A JSON/zod type name as a person says it. */
const TYPE_WORDS: Record<string, string> = {
  string: 'a text',
  number: 'a number',
  int: 'a whole number',
  bigint: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  tuple: 'a list',
  object: 'an object',
  record: 'an object',
  map: 'an object',
  null: 'null',
  undefined: 'nothing',
  date: 'a date',
  nan: 'not a number',
  function: 'a function',
  symbol: 'a symbol',
};
const typeWord = (t: string) => TYPE_WORDS[t] ?? t;

/** zod's own default messages start like these; anything else was written for people already. */
const DEFAULT_MESSAGE = /^(Invalid (input|option|string|URL|email|key|element)|Too (small|big)|Unrecognized key|Expected )/;

const received = (message: string) => /received (\w+)$/.exec(message)?.[1];

function sizeWords(origin: string | undefined, bound: number | bigint, inclusive: boolean | undefined, side: 'least' | 'most'): string {
  const n = Number(bound);
  switch (origin) {
    case 'string':
      if (side === 'least' && n === 1) return 'must not be empty';
      return `must be at ${side} ${n} character${n === 1 ? '' : 's'} long`;
    case 'array':
    case 'set':
      if (side === 'least' && n === 1) return 'must have at least one item';
      return `must have at ${side} ${n} item${n === 1 ? '' : 's'}`;
    default:
      if (inclusive === false) return `must be ${side === 'least' ? 'more' : 'less'} than ${n}`;
      return `must be at ${side} ${n}`;
  }
}

/** What is wrong with one field, as the rest of a sentence that starts with the field's name. */
export function describeIssue(issue: Issue): string {
  if (issue.message && !DEFAULT_MESSAGE.test(issue.message)) return issue.message;
  switch (issue.code) {
    case 'invalid_type': {
      const got = received(issue.message);
      if (got === 'undefined' || issue.expected === 'nonoptional') return 'is required';
      return `should be ${typeWord(String(issue.expected))}${got ? `, not ${typeWord(got)}` : ''}`;
    }
    case 'invalid_union': {
      const expected = new Set<string>();
      let got: string | undefined;
      for (const branch of issue.errors) {
        const first = branch[0];
        if (!first || first.path.length > 0 || first.code !== 'invalid_type') {
          expected.clear();
          break;
        }
        expected.add(typeWord(String(first.expected)));
        got ??= received(first.message);
      }
      if (got === 'undefined') return 'is required';
      if (expected.size) {
        const list = [...expected];
        const words = list.length > 1 ? `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}` : list[0];
        return `should be ${words}${got ? `, not ${typeWord(got)}` : ''}`;
      }
      return 'does not have any of the accepted shapes';
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => (typeof v === 'string' ? v : JSON.stringify(v)));
      return values.length === 1 ? `should be ${values[0]}` : `should be one of: ${values.join(', ')}`;
    }
    case 'too_small':
      return sizeWords(issue.origin, issue.minimum, issue.inclusive, 'least');
    case 'too_big':
      return sizeWords(issue.origin, issue.maximum, issue.inclusive, 'most');
    case 'invalid_format':
      if (issue.format === 'regex') return `does not have the expected form (${(issue as { pattern?: string }).pattern ?? 'a pattern'})`;
      if (issue.format === 'url') return 'should be a web address (URL)';
      if (issue.format === 'email') return 'should be an email address';
      return `should be ${issue.format === 'date' || issue.format === 'datetime' ? 'a date' : `in ${issue.format} form`}`;
    case 'not_multiple_of':
      return `should be a multiple of ${Number(issue.divisor)}`;
    case 'unrecognized_keys':
      return `has unknown field${issue.keys.length === 1 ? '' : 's'} ${issue.keys.join(', ')}`;
    case 'invalid_key':
      return 'has a field name that is not allowed';
    case 'invalid_element':
      return 'has an item that is not allowed';
    default:
      return issue.message.charAt(0).toLowerCase() + issue.message.slice(1);
  }
}

/** One entry per bad field, each with its path under `root`. */
export function issueLines(issues: readonly Issue[], root: string): { path: string; message: string }[] {
  const lines: { path: string; message: string }[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push({ path: formatPath(root, [...issue.path, key]), message: 'is not a known field' });
      continue;
    }
    lines.push({ path: formatPath(root, issue.path), message: describeIssue(issue) });
  }
  return lines;
}

/** `input.name: is required; input.ms: should be a number, not a text` — at most `max` fields. */
export function formatIssues(issues: readonly Issue[], root = '', max = 20, whole = '(value)'): string {
  const lines = issueLines(issues, root);
  const shown = lines.slice(0, max).map((l) => `${l.path || whole}: ${l.message}`);
  if (lines.length > max) shown.push(`and ${lines.length - max} more`);
  return shown.join('; ');
}
