/**
 * A workflow validation found runnable, as a type: `startRun` takes one as it is, so a
 * document is checked once on its way to a run (file read or API request, then start).
 * The brand is only a type; each engine also remembers the objects its own validation
 * returned (`ValidWorkflows`), so a cast or a document validated against another tool
 * registry is still checked before it runs.
 */
import type { Problem, Workflow } from '../../contract';

declare const validated: unique symbol;

export type ValidWorkflow = Workflow & { readonly [validated]: true };

/** What validation answers: a runnable workflow, or the problems (and the document, when it has the workflow's shape). */
export type CheckedWorkflow = { ok: true; problems: Problem[]; workflow: ValidWorkflow } | { ok: false; problems: Problem[]; workflow?: Workflow };

export class ValidWorkflows {
  private readonly known = new WeakSet<Workflow>();

  /** Brands the workflow of a result without problems. */
  checked(result: { ok: boolean; problems: Problem[]; workflow?: Workflow }): CheckedWorkflow {
    if (result.ok && result.workflow) {
      this.known.add(result.workflow);
      return { ok: true, problems: result.problems, workflow: result.workflow as ValidWorkflow };
    }
    return result.workflow ? { ok: false, problems: result.problems, workflow: result.workflow } : { ok: false, problems: result.problems };
  }

  /** Whether this engine's validation returned this very object as runnable. */
  has(workflow: Workflow): workflow is ValidWorkflow {
    return this.known.has(workflow);
  }
}
