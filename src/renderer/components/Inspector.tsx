/**
 * Right column: the selected node's form, problems and run record (resolved input,
 * output, logs, attempts, errors, cache), with the Rerun buttons.
 */
import { useCallback, useMemo, useState } from 'react';
import type { WorkflowNode } from '../../contract';
import { rerunNode } from '../app/actions';
import { graphStore, useGraph, useNodeView, useRuns, useUi } from '../app/stores';
import { useTools } from '../app/tools';
import { attemptsOf, shownView } from '../stores/runs';
import { Modal, ValueView } from './common';
import { InputsForm, SettingsForm } from './NodeForm';
import { KIND_ICON, STATUS_META, formatDuration } from './status';
import { StatusIcon } from './StatusIcon';

function Section({ title, children, defaultOpen = true, count }: { title: string; children: React.ReactNode; defaultOpen?: boolean; count?: number }) {
  return (
    <details className="insp-section" open={defaultOpen}>
      <summary>
        {title}
        {count !== undefined && <span className="count">{count}</span>}
      </summary>
      <div className="insp-body">{children}</div>
    </details>
  );
}

export function Inspector() {
  const selected = useUi((s) => s.selectedNodeIds);
  const node = useGraph((s) => (selected.length === 1 ? s.workflow.nodes.find((n) => n.id === selected[0]) : undefined));
  const problems = useGraph((s) => s.problems);
  const nodeCount = useGraph((s) => s.workflow.nodes.length);
  const general = problems.filter((p) => !p.nodeId);
  return (
    <aside className="inspector" data-testid="inspector" aria-label="Inspector">
      {node ? (
        <NodeInspector key={node.id} node={node} />
      ) : (
        <div className="insp-empty">
          <div className="section-title">Inspector</div>
          <p className="muted">{selected.length > 1 ? `${selected.length} nodes selected. Ctrl/⌘-C copies them; Delete removes them.` : nodeCount ? 'Select a node to edit its inputs and see its run.' : 'Nothing to inspect yet.'}</p>
          {problems.length > 0 && (
            <Section title="Problems" count={problems.length}>
              <ProblemList problems={general.length ? general : problems} />
            </Section>
          )}
        </div>
      )}
    </aside>
  );
}

function ProblemList({ problems }: { problems: { message: string; nodeId?: string; code: string }[] }) {
  return (
    <ul className="problems" role="list" aria-label="Problems">
      {problems.map((p, i) => (
        <li key={i}>
          <span aria-hidden>⚠</span> {p.nodeId && <b>{p.nodeId}: </b>}
          {p.message} <span className="muted small">({p.code})</span>
        </li>
      ))}
    </ul>
  );
}

function NodeInspector({ node }: { node: WorkflowNode }) {
  const wf = useGraph((s) => s.workflow);
  const problems = useGraph((s) => s.problems).filter((p) => p.nodeId === node.id);
  const tool = useTools((s) => (node.tool ? s.byName.get(node.tool) : undefined));
  const byName = useTools((s) => s.byName);
  const outputSchemaOf = useCallback((n: WorkflowNode) => (n.outputSchema ?? (n.tool ? byName.get(n.tool)?.outputSchema : undefined)) as any, [byName]);
  const view = useNodeView(node.id);
  const hasRun = useRuns((s) => s.watchedRunId !== null && !!shownView(s));
  const [editOpen, setEditOpen] = useState(false);
  const update = (patch: Partial<WorkflowNode>) => graphStore.getState().updateNode(node.id, patch);

  return (
    <div className="insp-node">
      <div className="insp-title">
        <span className="insp-kind" aria-hidden>
          {KIND_ICON[node.kind]}
        </span>
        <input className="insp-label" aria-label="Node label" value={node.label ?? ''} placeholder={node.id} onChange={(e) => update({ label: e.target.value || undefined })} />
      </div>
      <div className="insp-sub muted">
        <code>{node.id}</code> · {node.kind}
        {node.tool && (
          <>
            {' '}
            · <code>{node.tool}</code>
          </>
        )}
        {tool && <span className={`effect effect-${tool.effects}`}>{tool.effects}</span>}
      </div>
      {tool?.description && <p className="muted small">{tool.description}</p>}

      {hasRun && (
        <div className="rerun-bar">
          <button type="button" className="btn" aria-label="Rerun node" title="Run only this node again; downstream keeps its outputs" onClick={() => void rerunNode(node.id, 'only')}>
            Rerun node
          </button>
          <button type="button" className="btn" aria-label="Rerun from here" title="Run this node and everything downstream again" onClick={() => void rerunNode(node.id, 'downstream')}>
            Rerun from here
          </button>
          <button type="button" className="btn" aria-label="Edit inputs and rerun" onClick={() => setEditOpen(true)}>
            Edit inputs and rerun
          </button>
        </div>
      )}

      {problems.length > 0 && (
        <Section title="Problems" count={problems.length}>
          <ProblemList problems={problems} />
        </Section>
      )}

      {view && <RunRecord nodeId={node.id} />}

      <Section title="Inputs">
        <InputsForm node={node} wf={wf} inputSchema={tool?.inputSchema} outputSchemaOf={outputSchemaOf} />
        {node.tool && !tool && <div className="field-error">Tool {node.tool} is not in the catalog.</div>}
      </Section>
      <Section title="Retry, timeout, cache, acceptance" defaultOpen={false}>
        <SettingsForm node={node} />
      </Section>
      {editOpen && <EditAndRerun node={node} onClose={() => setEditOpen(false)} />}
    </div>
  );
}

function RunRecord({ nodeId }: { nodeId: string }) {
  const view = useNodeView(nodeId)!;
  const events = useRuns((s) => (s.watchedRunId ? s.events[s.watchedRunId] : undefined));
  const travelSeq = useRuns((s) => s.travelSeq);
  const attempts = useMemo(() => attemptsOf(events ?? [], nodeId, travelSeq ?? Infinity), [events, nodeId, travelSeq]);
  const meta = STATUS_META[view.status];
  const reason = view.cached ? 'Output reused from cache (same tool, version and input).' : view.reason ? `Ran because: ${view.reason}` : undefined;
  return (
    <>
      <div className={`insp-status status-${view.status}`} data-status={view.status}>
        <StatusIcon status={view.status} size={14} /> {meta.label}
        {view.detail && <span className="muted"> — {view.detail}</span>}
        <span className="spacer" />
        {view.cached ? <span className="badge">cached</span> : view.attempts > 0 && <span className="badge">ran</span>}
      </div>
      {reason && <div className="muted small">{reason}</div>}
      {view.error && (
        <div className="error-box" role="alert">
          <b>{view.error.class}</b>
          {view.error.code && <code> {view.error.code}</code>}: {view.error.message}
        </div>
      )}
      {view.verdict && (
        <div className={`verdict ${view.verdict.pass ? 'pass' : 'fail'}`}>
          {view.verdict.pass ? '✓ Accepted' : '✕ Rejected'} by {view.verdict.judge}
          {view.verdict.reasons.length > 0 && <ul>{view.verdict.reasons.map((r, i) => <li key={i}>{r}</li>)}</ul>}
        </div>
      )}
      <Section title="Output">
        <ValueView value={view.output} label="Output" />
        {view.truncated && <div className="muted small">Output was cut at the size cap.</div>}
      </Section>
      <Section title="Resolved input" defaultOpen={false}>
        <ValueView value={view.input} label="Input" />
      </Section>
      <Section title="Attempts" count={attempts.length} defaultOpen={attempts.length > 1 || !!view.error}>
        <table className="mini-table">
          <thead>
            <tr>
              <th>#</th>
              <th>Status</th>
              <th>Duration</th>
              <th>Error</th>
            </tr>
          </thead>
          <tbody>
            {attempts.map((a, i) => (
              <tr key={i}>
                <td>
                  {a.generation}.{a.attempt}
                </td>
                <td>{a.cached ? 'cached' : a.status}</td>
                <td>{formatDuration(a.finishedAt !== undefined ? a.finishedAt - a.startedAt : undefined)}</td>
                <td className="err">{a.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {(view.usage.promptTokens > 0 || view.usage.costUsd > 0) && (
          <div className="muted small">
            Tokens {view.usage.promptTokens + view.usage.completionTokens} · ${view.usage.costUsd.toFixed(4)}
          </div>
        )}
      </Section>
      <Section title="Logs" count={view.logs.length} defaultOpen={false}>
        <div className="logs">
          {view.logs.length === 0 && <div className="muted">No log lines.</div>}
          {view.logs.map((l, i) => (
            <div key={i} className={`log log-${l.level}`}>
              <span className="muted">{new Date(l.ts).toLocaleTimeString()}</span> <b>{l.level}</b> {l.message}
            </div>
          ))}
        </div>
      </Section>
    </>
  );
}

function EditAndRerun({ node, onClose }: { node: WorkflowNode; onClose(): void }) {
  const [text, setText] = useState(JSON.stringify(node.inputs, null, 2));
  const [error, setError] = useState<string | null>(null);
  const submit = () => {
    let inputs: Record<string, unknown>;
    try {
      inputs = JSON.parse(text);
      if (!inputs || typeof inputs !== 'object' || Array.isArray(inputs)) throw new Error('inputs must be a JSON object');
    } catch (e) {
      return setError(`Not a valid inputs object: ${(e as Error).message}`);
    }
    void rerunNode(node.id, 'downstream', inputs);
    onClose();
  };
  return (
    <Modal
      title={`Edit inputs and rerun ${node.label ?? node.id}`}
      onClose={onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="btn primary" aria-label="Rerun with these inputs" onClick={submit}>
            Rerun with these inputs
          </button>
        </>
      }
    >
      <p className="muted">The node and everything downstream run again with these input bindings (templates allowed). Upstream outputs are kept.</p>
      <textarea className="mono" aria-label="Inputs JSON" rows={12} value={text} onChange={(e) => setText(e.target.value)} />
      {error && <div className="field-error">{error}</div>}
    </Modal>
  );
}
