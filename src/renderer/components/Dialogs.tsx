/** Dialogs and overlays: approval, open workflow, replan diff bar, connection banner, toasts. */
import { useEffect, useState, useSyncExternalStore } from 'react';
import type { WorkflowSummary } from '../../contract';
import { acceptPlan, discardPlan, openWorkflow } from '../app/actions';
import { answerApproval, setAsideApproval, useDialogRequest } from '../app/approvals';
import { uiStore, useUi } from '../app/stores';
import { errorMessage, getAwe, getConnection } from '../api/client';
import { useTools } from '../app/tools';
import { JsonTree, Markdown } from './common';
import { Modal } from './Modal';

/**
 * Opens when a node of the watched run waits for a person. Closing it (✕, Esc, a click
 * outside) only sets the request aside: the run header and the node's inspector keep
 * offering Approve / Reject and "Review…" opens it again.
 */
export function ApprovalDialog() {
  const request = useDialogRequest();
  const [comment, setComment] = useState('');
  const tool = useTools((s) => (request?.tool ? s.byName.get(request.tool) : undefined));
  if (!request) return null;
  const answer = (approved: boolean) => {
    void answerApproval(request, approved, comment || undefined);
    setComment('');
  };
  return (
    <Modal
      key={request.key}
      title="Approval needed"
      onClose={() => setAsideApproval(request.key)}
      // Run is disabled while the run goes on: back to "Review…" while it waits, else to the node on the canvas.
      returnFocusTo={() => document.querySelector<HTMLElement>('[data-testid="run-approval"] button') ?? document.querySelector<HTMLElement>(`.react-flow__node[data-id="${CSS.escape(request.nodeId)}"]`)}
      footer={
        <>
          <button type="button" className="btn danger" aria-label="Reject" onClick={() => answer(false)}>
            Reject
          </button>
          <button type="button" className="btn primary" aria-label="Approve" onClick={() => answer(true)}>
            Approve
          </button>
        </>
      }
    >
      <ApprovalMessage message={request.message} />
      <div className="kv">
        <span className="muted">Node</span> <code>{request.nodeId}</code>
        {request.tool && (
          <>
            <span className="muted">Tool</span>
            <span className="row">
              <code data-testid="approval-tool">{request.tool}</code>
              {tool && <span className="muted small">{tool.title}</span>}
              {tool && <span className={`effect effect-${tool.effects}`}>{tool.effects}</span>}
            </span>
          </>
        )}
      </div>
      {request.input !== undefined && <ApprovalInput input={request.input} />}
      <input type="text" aria-label="Comment" placeholder="Comment (optional)" value={comment} onChange={(e) => setComment(e.target.value)} />
    </Modal>
  );
}

/** The question on the first line; anything after it (a draft to review) as rendered, scrollable markdown. */
function ApprovalMessage({ message }: { message: string }) {
  const [question, ...rest] = message.split('\n');
  const detail = rest.join('\n').trim();
  return (
    <>
      <p className="approval-question">{question}</p>
      {detail && (
        <div className="approval-detail">
          <Markdown text={detail} />
        </div>
      )}
    </>
  );
}

/** Each input field in full (text keeps its line breaks): the person approves exactly this. */
function ApprovalInput({ input }: { input: unknown }) {
  const fields = input && typeof input === 'object' && !Array.isArray(input) ? Object.entries(input) : null;
  return (
    <div className="approval-input" data-testid="approval-input">
      <div className="section-title">Input</div>
      {fields ? (
        fields.map(([k, v]) => (
          <div key={k} className="approval-field">
            <div className="muted small mono">{k}</div>
            {typeof v === 'string' ? (
              <pre className="pre">{v}</pre>
            ) : (
              <div className="json-tree pre">
                <JsonTree value={v} />
              </div>
            )}
          </div>
        ))
      ) : (
        <div className="json-tree pre">
          <JsonTree value={input} />
        </div>
      )}
    </div>
  );
}

export function OpenDialog() {
  const [list, setList] = useState<WorkflowSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    getAwe()
      .workflowsList({})
      .then((r) => setList(r.workflows))
      .catch((e) => setError(errorMessage(e)));
  }, []);
  const close = () => uiStore.getState().openDialog(null);
  return (
    <Modal title="Open workflow" onClose={close} wide>
      {error && <div className="field-error">{error}</div>}
      {!list && !error && <div className="muted">Loading…</div>}
      {list?.length === 0 && <div className="muted">No saved workflows yet. Save one with the Save button.</div>}
      <ul className="wf-list" data-testid="workflow-list">
        {list?.map((w) => (
          <li key={w.id}>
            <button type="button" className="wf-item" onClick={() => void openWorkflow(w.id)} aria-label={`Open workflow ${w.name}`}>
              <b>{w.name}</b>
              <span className="muted small">
                {w.nodeCount} nodes · v{w.version} · {new Date(w.updatedAt).toLocaleString()}
              </span>
              {w.goal && <span className="muted small ellipsis">{w.goal}</span>}
            </button>
          </li>
        ))}
      </ul>
    </Modal>
  );
}

/** Shown over the canvas while a replan waits: what it adds, removes and changes. */
export function DiffBar() {
  const pending = useUi((s) => s.pendingPlan);
  if (!pending) return null;
  const { added, removed, changed, kept } = pending.diff;
  return (
    <div className="diff-bar" role="region" aria-label="Replan diff">
      <b>Replan</b>
      <span className={`diff-tag diff-added${added.length ? '' : ' none'}`}>+{added.length} added</span>
      <span className={`diff-tag diff-removed${removed.length ? '' : ' none'}`}>−{removed.length} removed</span>
      <span className={`diff-tag diff-changed${changed.length ? '' : ' none'}`}>~{changed.length} changed</span>
      {kept.length > 0 && <span className="muted small">keeps your edits to {kept.join(', ')}</span>}
      <span className="spacer" />
      <button type="button" className="btn" aria-label="Discard plan" onClick={discardPlan}>
        Discard
      </button>
      <button type="button" className="btn primary" aria-label="Accept plan" onClick={acceptPlan}>
        Accept
      </button>
    </div>
  );
}

export function ConnectionBanner() {
  const conn = getConnection();
  const state = useSyncExternalStore(conn.subscribe, () => conn.state);
  const [everOpen, setEverOpen] = useState(state === 'open');
  useEffect(() => {
    if (state === 'open') setEverOpen(true);
  }, [state]);
  if (state === 'open') return null;
  return (
    <div className="conn-banner" role="status" data-testid="connection-banner">
      <span className="spinner" aria-hidden /> {everOpen ? 'Connection to AWE lost — reconnecting…' : 'Not connected to AWE — retrying…'}
      <span className="muted small"> Start the server with <code>awe serve</code>.</span>
    </div>
  );
}

export function Toasts() {
  const toasts = useUi((s) => s.toasts);
  if (!toasts.length) return null;
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className={`toast ${t.kind}`} role={t.kind === 'error' ? 'alert' : 'status'}>
          <div className="row">
            <span>{t.text}</span>
            <span className="spacer" />
            <button type="button" className="icon-btn" aria-label="Dismiss" onClick={() => uiStore.getState().dismiss(t.id)}>
              ✕
            </button>
          </div>
          {t.details && (
            <ul className="toast-details">
              {t.details.slice(0, 12).map((d, i) => (
                <li key={i}>{d}</li>
              ))}
              {t.details.length > 12 && <li>… {t.details.length - 12} more</li>}
            </ul>
          )}
        </div>
      ))}
    </div>
  );
}
