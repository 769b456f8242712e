/**
 * The person desk: where a run's questions to a person go — approval nodes, tools that
 * ask (`ctx.requestApproval`) and the policy gate. It records the request, shows the node
 * (and, for the first waiting node, the run) as `waiting` until the answer, and records
 * the answer. The answer itself comes from the engine's approvals (in-process or `awe approve`).
 */
import { measureRecorded } from './recorded-size';
import type { Asker, PersonAnswer, PersonRequest, RunContext } from './run-context';

export class PersonDesk implements Asker {
  /** Nodes of the run waiting for an answer now: the run is `waiting` while any is. */
  private waitingNodes = 0;

  constructor(private readonly run: RunContext) {}

  /** Asks a person on behalf of a node: the node (and the run) show `waiting` until the answer. */
  async ask(nodeId: string, request: PersonRequest): Promise<PersonAnswer> {
    const run = this.run;
    if (request.input !== undefined && !measureRecorded(request.input, run.maxRecordedChars).ok) {
      request = { ...request, input: undefined, message: `${request.message} (the tool's input is too large to show)` };
    }
    run.emit({ type: 'approval.requested', nodeId, message: request.message, ...(request.tool ? { tool: request.tool } : {}), ...(request.input !== undefined ? { input: request.input } : {}) });
    run.status(nodeId, 'waiting', {});
    if (++this.waitingNodes === 1) run.emit({ type: 'run.status', status: 'waiting', reason: 'approval' });
    let answer: PersonAnswer;
    try {
      answer = await run.deps.approvals.wait(nodeId, run.signal);
    } finally {
      this.waitingNodes--;
    }
    run.emit({ type: 'approval.resolved', nodeId, approved: answer.approved, ...(answer.comment ? { comment: answer.comment } : {}) });
    if (this.waitingNodes === 0 && !run.cancelled) run.emit({ type: 'run.status', status: 'running', reason: 'approval answered' });
    run.status(nodeId, 'running', {});
    return answer;
  }
}
