/**
 * A workflow's own `settings.allowTools` is a request, never a grant (DESIGN.md §8): a
 * file, a plan or a pasted document could otherwise switch the policy gate off for
 * itself. The request takes effect only after a person approved it once for that
 * document — in the app's dialog listing the tools, or with `awe run --trust-workflow`.
 * An approval is kept per workflow id and hash of the requested list, so a changed
 * request asks again. Wildcards are limited to one MCP server's tools (`mcp.<server>.*`).
 */
import { createHash } from 'node:crypto';
import type { Problem, Workflow } from '../../contract';
import { badRequest, conflict } from '../errors';
import type { KeyValue } from '../settings/key-value';

/** The key-value store key approvals are kept under. */
export const WORKFLOW_TRUST_KEY = 'workflowTrust';

/** Approvals kept in all; the oldest are forgotten first (they are asked for again). */
const MAX_APPROVALS = 10_000;

/** An exact tool name, or every tool of one MCP server. No other wildcard. */
const REQUESTABLE = /^(?:[^*\s]+|mcp\.[^.*\s]+\.\*)$/;

export interface AllowRequest {
  /** The tools the workflow asks to run without asking (sorted, unique). */
  requested: string[];
  /** Whether a person approved exactly this request for this workflow id. */
  approved: boolean;
}

/** Problems with a workflow's allowTools request: wildcards beyond `mcp.<server>.*`. */
export function allowRequestProblems(allowTools: readonly string[] | undefined): Problem[] {
  const problems: Problem[] = [];
  (allowTools ?? []).forEach((pattern, i) => {
    if (REQUESTABLE.test(pattern)) return;
    problems.push({
      code: 'schema',
      path: `settings.allowTools[${i}]`,
      message: `settings.allowTools[${i}]: "${pattern}" is not allowed: a workflow may request exact tool names or one MCP server's tools ("mcp.<server>.*"), no other wildcard`,
    });
  });
  return problems;
}

function normalise(tools: readonly string[] | undefined): string[] {
  return [...new Set((tools ?? []).map((t) => t.trim()).filter(Boolean))].sort();
}

function approvalKey(workflowId: string, tools: readonly string[]): string {
  const hash = createHash('sha256').update(JSON.stringify(normalise(tools))).digest('hex');
  return `${workflowId}\n${hash}`;
}

export class WorkflowTrust {
  constructor(private readonly kv: KeyValue) {}

  /** The workflow's request and whether it is approved. */
  request(workflow: Pick<Workflow, 'id' | 'settings'>): AllowRequest {
    const requested = normalise(workflow.settings.allowTools);
    if (requested.length === 0) return { requested, approved: true };
    const valid = allowRequestProblems(requested).length === 0;
    return { requested, approved: valid && this.approvals().includes(approvalKey(workflow.id, requested)) };
  }

  /** What the policy gate may allow for this workflow: its request once approved, else nothing. */
  granted(workflow: Pick<Workflow, 'id' | 'settings'>): string[] {
    const { requested, approved } = this.request(workflow);
    return approved ? requested : [];
  }

  /**
   * Records a person's approval. `tools` is the list the person was shown: it must be the
   * workflow's request as it is now, so an approval never covers a list nobody saw.
   */
  approve(workflow: Pick<Workflow, 'id' | 'settings'>, tools: readonly string[]): AllowRequest {
    const requested = normalise(workflow.settings.allowTools);
    const problems = allowRequestProblems(requested);
    if (problems.length) throw badRequest(problems.map((p) => p.message).join('; '));
    const shown = normalise(tools);
    if (JSON.stringify(shown) !== JSON.stringify(requested)) {
      throw conflict(`the workflow "${workflow.id}" now requests [${requested.join(', ')}], not the [${shown.join(', ')}] that was approved; ask again`);
    }
    if (requested.length === 0) return { requested, approved: true };
    const key = approvalKey(workflow.id, requested);
    const approvals = this.approvals().filter((k) => k !== key);
    approvals.push(key);
    this.kv.set(WORKFLOW_TRUST_KEY, approvals.slice(-MAX_APPROVALS));
    return { requested, approved: true };
  }

  private approvals(): string[] {
    const value = this.kv.get(WORKFLOW_TRUST_KEY);
    return Array.isArray(value) ? value.filter((k): k is string => typeof k === 'string') : [];
  }
}
