/**
 * zod issues as one line per bad field (`input.ms: expected number, received string`),
 * shared by tool invocation and workflow validation so both speak the same way.
 */
import type { z } from 'zod';

type Issue = z.core.$ZodIssue;

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

/** Why one issue failed, without zod's "Invalid input:" boilerplate. */
export function describeIssue(issue: Issue): string {
  if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) {
    return `missing (expected ${issue.expected})`;
  }
  if (issue.code === 'invalid_union') {
    const expected = new Set<string>();
    let received: string | undefined;
    for (const branch of issue.errors) {
      const first = branch[0];
      if (!first || first.path.length > 0 || first.code !== 'invalid_type') {
        expected.clear();
        break;
      }
      expected.add(String(first.expected));
      received ??= /received (\w+)$/.exec(first.message)?.[1];
    }
    if (expected.size) return `expected ${[...expected].join(' or ')}${received ? `, received ${received}` : ''}`;
  }
  const msg = issue.message.replace(/^Invalid (input|option): /, '');
  return msg.charAt(0).toLowerCase() + msg.slice(1);
}

/** One entry per bad field, each with its path under `root`. */
export function issueLines(issues: readonly Issue[], root: string): { path: string; message: string }[] {
  const lines: { path: string; message: string }[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push({ path: formatPath(root, [...issue.path, key]), message: 'unknown field' });
      continue;
    }
    lines.push({ path: formatPath(root, issue.path), message: describeIssue(issue) });
  }
  return lines;
}

export function formatIssues(issues: readonly Issue[], root: string): string {
  return issueLines(issues, root)
    .map((l) => `${l.path}: ${l.message}`)
    .join('; ');
}
