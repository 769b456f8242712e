/**
 * The policy gate (DESIGN.md §5): before a risky tool's first call in a run, a person
 * is asked (interactive) or the call is refused (headless) unless the tool is allowed.
 * A refusal is a permanent POLICY error, never a silent skip. Decisions last for the run.
 */
import type { EngineEvent } from '../../contract';
import { permanent } from '../errors';
import { needsApproval } from '../tools/registry';
import type { ToolSpec } from '../tools/types';
import type { Asker, ToolGate } from './run-context';

export interface PolicyOptions {
  /** Tool allowed without asking (engine/run allow lists + the workflow's allowTools once a person approved them). */
  isAllowed(toolName: string): boolean;
  /** Whether a person can answer; headless runs refuse instead of asking. */
  interactive: boolean;
  /** Where the question goes (the run's person desk). */
  desk: Asker;
}

export class PolicyGate implements ToolGate {
  /** One question per tool per run: concurrent first calls share the answer. */
  private readonly decisions = new Map<string, Promise<void>>();

  constructor(
    private readonly options: PolicyOptions,
    earlier: Map<string, boolean> = new Map(),
  ) {
    for (const [tool, approved] of earlier) {
      const decided = approved ? Promise.resolve() : Promise.reject(refusedByPerson(tool));
      decided.catch(() => undefined);
      this.decisions.set(tool, decided);
    }
  }

  /**
   * Undefined when `spec` may be called now; otherwise a promise that resolves once it may,
   * or rejects with a permanent POLICY ToolError.
   */
  check(spec: ToolSpec, input: unknown, nodeId: string): Promise<void> | undefined {
    if (!needsApproval(spec) || this.options.isAllowed(spec.name)) return undefined;
    let decided = this.decisions.get(spec.name);
    if (!decided) {
      decided = this.decide(spec, input, nodeId);
      this.decisions.set(spec.name, decided);
    }
    return decided;
  }

  private async decide(spec: ToolSpec, input: unknown, nodeId: string): Promise<void> {
    const effects = effectsInWords(spec);
    if (!this.options.interactive) {
      throw permanent(
        'POLICY',
        `${spec.name} has ${effects} and is not allowed in headless runs; pass --allow ${spec.name}, or list it in the workflow's settings.allowTools and approve that request with --trust-workflow`,
      );
    }
    const answer = await this.options.desk.ask(nodeId, {
      tool: spec.name,
      input,
      message: `Allow ${spec.name} (${effects}) to run in this workflow?`,
    });
    if (!answer.approved) throw refusedByPerson(spec.name, answer.comment);
  }

  /** Decisions already made in a run, from its events (so a resumed run does not ask again). */
  static decisionsFrom(events: readonly EngineEvent[]): Map<string, boolean> {
    const askedFor = new Map<string, string>();
    const decisions = new Map<string, boolean>();
    for (const e of events) {
      if (e.type === 'approval.requested') {
        if (e.tool) askedFor.set(e.nodeId, e.tool);
        else askedFor.delete(e.nodeId);
      } else if (e.type === 'approval.resolved') {
        const tool = askedFor.get(e.nodeId);
        if (tool) decisions.set(tool, e.approved);
        askedFor.delete(e.nodeId);
      }
    }
    return decisions;
  }
}

function refusedByPerson(tool: string, comment?: string) {
  return permanent('POLICY', `${tool} was refused by a person${comment ? `: ${comment}` : ''}`);
}

function effectsInWords(spec: ToolSpec): string {
  const source = spec.source ?? 'builtin';
  if (spec.effects === 'write' || spec.effects === 'network') return `${spec.effects} effects`;
  if (spec.annotations?.destructiveHint === true) return `destructive effects (MCP server "${source}")`;
  return `effects not declared read-only by MCP server "${source}"`;
}
