/**
 * Right column: the selected node's form, problems and run record (resolved input,
 * output, logs, attempts, errors, cache), with the Rerun buttons.
 */
import { useState } from 'react';
import { stableJson, type WorkflowNode } from '../../contract';
import type { AttemptRecord } from '../stores/attempts';
import { graphStore, useGraph, useNodeView, useRuns, useUi } from '../app/stores';
import { countRender } from '../app/render-count';
import { useTools } from '../app/tools';
import { shownAttempts, shownView } from '../stores/runs';
import { workflowShapeSelector } from '../stores/workflow-shape';
import { ApprovalPanel } from './ApprovalControls';
import { ValueView } from './common';
import { InputsForm, SettingsForm } from './NodeForm';
import { RerunBar } from './RerunBar';
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
  countRender('Inspector');
  const selected = useUi((s) => s.selectedNodeIds);
  // Where a node sits is not shown here: read the document without positions, so dragging
  // a node (even the inspected one) does not re-render the inspector on every frame.
  const shape = useGraph(useState(workflowShapeSelector)[0]);
  const node = selected.length === 1 ? shape.nodes.find((n) => n.id === selected[0]) : undefined;
  const problems = useGraph((s) => s.problems);
  const nodeCount = shape.nodes.length;
  const general = problems.filter((p) => !p.nodeId);
  return (
    <aside className="inspector" data-testid="inspector" aria-label="Inspector">
      {node ? (
        <NodeInspector key={node.id} node={node} />
      ) : (
        <div className="insp-empty">
          <div className="section-title">Inspector</div>
          <p className="muted">{selected.length > 1 ? `${selected.length} nodes selected. Ctrl/⌘-C copies them; Delete removes them.` : nodeCount ? 'Select a node to edit its inputs and see its run.' : 'Nothing to inspect yet.'}</p>
          {selected.length <= 1 && <PlanExplanation />}
          {selected.length <= 1 && <Shortcuts />}
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

/** What the planner understood, kept in the workflow's inspector while its plan is on the canvas. */
function PlanExplanation() {
  const note = useUi((s) => s.planNote);
  const workflowId = useGraph((s) => s.workflow.id);
  if (!note || note.workflowId !== workflowId) return null;
  return (
    <section className="plan-note" aria-label="Plan explanation" data-testid="plan-explanation">
      <div className="section-title">The plan</div>
      <p className="plan-goal">
        <span className="muted small">Goal</span> {note.goal}
      </p>
      <p className="plan-text">{note.explanation}</p>
      <p className="muted small">Made by the {note.planner === 'llm' ? 'model (LLM) planner' : 'offline planner'}.</p>
    </section>
  );
}

const SHORTCUTS: [string, string][] = [
  ['Ctrl/⌘-Enter', 'Plan the goal'],
  ['Ctrl/⌘-S', 'Save'],
  ['Ctrl/⌘-Z · Shift-Ctrl/⌘-Z', 'Undo · redo'],
  ['Ctrl/⌘-C · Ctrl/⌘-V', 'Copy · paste nodes'],
  ['Delete', 'Remove the selection'],
  ['Shift-drag', 'Select an area'],
  ['C, then C on another node', 'Connect by keyboard'],
];

function Shortcuts() {
  return (
    <dl className="shortcuts" aria-label="Keyboard shortcuts">
      {SHORTCUTS.map(([k, v]) => (
        <div key={k}>
          <dt>
            <kbd>{k}</kbd>
          </dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
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

const NO_ATTEMPTS: readonly AttemptRecord[] = [];

function NodeInspector({ node }: { node: WorkflowNode }) {
  countRender('NodeInspector');
  // The forms read other nodes (for references), not where they sit: a drag elsewhere does not re-render this.
  const wf = useGraph(useState(workflowShapeSelector)[0]);
  const problems = useGraph((s) => s.problems).filter((p) => p.nodeId === node.id);
  const tool = useTools((s) => (node.tool ? s.byName.get(node.tool) : undefined));
  const view = useNodeView(node.id);
  const hasRun = useRuns((s) => s.watchedRunId !== null && !!shownView(s));
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
      <ApprovalPanel nodeId={node.id} />

      {hasRun && <RerunBar node={node} />}

      <ProposedChange node={node} />

      {problems.length > 0 && (
        <Section title="Problems" count={problems.length}>
          <ProblemList problems={problems} />
        </Section>
      )}

      {view && <RunRecord nodeId={node.id} />}

      <Section title="Inputs">
        <InputsForm node={node} wf={wf} />
        {node.tool && !tool && <div className="field-error">Tool {node.tool} is not in the catalog.</div>}
      </Section>
      <Section title="Retry, timeout, cache, acceptance" defaultOpen={false}>
        <SettingsForm node={node} />
      </Section>
    </div>
  );
}

const brief = (v: unknown) => {
  if (v === undefined) return '—';
  const t = typeof v === 'string' ? v : JSON.stringify(v);
  return t.length > 140 ? `${t.slice(0, 140)}…` : t;
};

/** While a replan waits for Accept/Discard: what it would do to this node, field by field. */
function ProposedChange({ node }: { node: WorkflowNode }) {
  const pending = useUi((s) => s.pendingPlan);
  if (!pending) return null;
  const { diff } = pending;
  const proposed = pending.workflow.nodes.find((n) => n.id === node.id);
  let body: React.ReactNode;
  if (diff.removed.includes(node.id)) body = <p className="muted">The new plan removes this node.</p>;
  else if (diff.added.includes(node.id)) body = <p className="muted">The new plan adds this node.</p>;
  else if (diff.changed.includes(node.id) && proposed) {
    const rows: [string, unknown, unknown][] = [];
    for (const key of ['label', 'kind', 'tool', 'acceptance', 'retry', 'timeoutMs'] as const) {
      if (stableJson(node[key]) !== stableJson(proposed[key])) rows.push([key, node[key], proposed[key]]);
    }
    for (const key of new Set([...Object.keys(node.inputs), ...Object.keys(proposed.inputs)])) {
      if (stableJson(node.inputs[key]) !== stableJson(proposed.inputs[key])) rows.push([`inputs.${key}`, node.inputs[key], proposed.inputs[key]]);
    }
    body = (
      <ul className="change-list">
        {rows.map(([field, before, after]) => (
          <li key={field}>
            <code>{field}</code>
            <div className="change-before" title="Now">
              {brief(before)}
            </div>
            <div className="change-after" title="After Accept">
              {brief(after)}
            </div>
          </li>
        ))}
      </ul>
    );
  } else return null;
  return (
    <Section title="Replan changes">
      {body}
    </Section>
  );
}

function RunRecord({ nodeId }: { nodeId: string }) {
  countRender('RunRecord');
  const view = useNodeView(nodeId)!;
  // Kept per node by the runs store as events arrive: this re-renders only when this node's attempts change.
  const attempts = useRuns((s) => shownAttempts(s, nodeId)?.list ?? NO_ATTEMPTS);
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
        {view.output === undefined && view.status === 'failed' ? <div className="muted">No output: the node failed.</div> : <ValueView value={view.output} label="Output" />}
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
                <td title={`generation ${a.generation} (bumped by each rerun), attempt ${a.attempt}`}>{i + 1}</td>
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
