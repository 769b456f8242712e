/**
 * Where a waiting approval stays on offer after its dialog is closed: the run header (for
 * the whole run) and the inspector of the waiting node. Both answer directly or reopen
 * the dialog ("Review…") to read the full request and add a comment.
 */
import { answerApproval, reviewApproval, usePendingApprovalOf, usePendingApprovals, type ApprovalRequest } from '../app/approvals';
import { useGraph } from '../app/stores';

function AnswerButtons({ request, small }: { request: ApprovalRequest; small?: boolean }) {
  const size = small ? ' small' : '';
  return (
    <>
      <button type="button" className={`btn${size}`} aria-haspopup="dialog" title="Read the full request in a dialog" onClick={() => reviewApproval(request.key)}>
        Review…
      </button>
      <button type="button" className={`btn danger${size}`} onClick={() => void answerApproval(request, false)}>
        Reject
      </button>
      <button type="button" className={`btn primary${size}`} onClick={() => void answerApproval(request, true)}>
        Approve
      </button>
    </>
  );
}

/** In the run header while the watched run waits: the first waiting request, and how many wait. */
export function RunApprovalControl() {
  const pending = usePendingApprovals();
  const first = pending[0];
  const label = useGraph((s) => (first ? s.workflow.nodes.find((n) => n.id === first.nodeId)?.label : undefined));
  if (!first) return null;
  const name = label ?? first.nodeId;
  return (
    <div
      className="run-approval"
      role="group"
      aria-label="Approval"
      aria-description={`${name} waits for your answer${pending.length > 1 ? ` (${pending.length - 1} more after it)` : ''}`}
      title={`${name} waits for your answer`}
      data-testid="run-approval"
      data-node-id={first.nodeId}
    >
      {pending.length > 1 && <span className="badge">{pending.length} waiting</span>}
      <AnswerButtons request={first} small />
    </div>
  );
}

/** In the inspector of a node that waits for a person: the question and the answers. */
export function ApprovalPanel({ nodeId }: { nodeId: string }) {
  const request = usePendingApprovalOf(nodeId);
  if (!request) return null;
  const question = request.message.split('\n', 1)[0];
  return (
    <section className="approval-panel" aria-label="Approval request" data-testid="approval-panel">
      <div className="section-title">Waiting for your approval</div>
      <p className="approval-question">{question}</p>
      <div className="row">
        <AnswerButtons request={request} />
      </div>
    </section>
  );
}
