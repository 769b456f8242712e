/** Two runs side by side, node by node: status, executions, duration, and what differs. */
import { Fragment, useEffect, useMemo, useState } from 'react';
import { openRun } from '../app/actions';
import { uiStore, useUi } from '../app/stores';
import { errorMessage, getAwe } from '../api/client';
import { compareRuns, type FieldChange, type NodeComparison, type NodeSide, type RunComparison, type RunRecord, type RunTotals } from '../stores/compare';
import { ValueView } from './common';
import { Modal } from './Modal';
import { STATUS_META, formatDuration } from './status';
import { StatusIcon } from './StatusIcon';

export function CompareDialog() {
  const ids = useUi((s) => s.compareRunIds);
  const [records, setRecords] = useState<[RunRecord, RunRecord] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [onlyDiff, setOnlyDiff] = useState(false);
  const [open, setOpen] = useState<string | null>(null);
  const [idA, idB] = ids;
  useEffect(() => {
    if (!idA || !idB) return;
    let live = true;
    setRecords(null);
    setError(null);
    const get = (runId: string) => getAwe().runsGet({ runId }).then((d): RunRecord => ({ runId, snapshot: d.run.snapshot, events: d.events }));
    // Older run on the left, so "A → B" reads as before → after.
    Promise.all([get(idA), get(idB)])
      .then(([a, b]) => live && setRecords(firstEvent(a) <= firstEvent(b) ? [a, b] : [b, a]))
      .catch((e) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [idA, idB]);
  const cmp = useMemo(() => (records ? compareRuns(records[0], records[1]) : null), [records]);
  const close = () => uiStore.getState().openDialog(null);
  const rows = cmp ? (onlyDiff ? cmp.nodes.filter((n) => n.differs) : cmp.nodes) : [];

  return (
    <Modal title="Compare runs" onClose={close} wide className="xwide">
      {error && <div className="error-box">Could not load the runs: {error}</div>}
      {!cmp && !error && <div className="muted">Loading both runs…</div>}
      {cmp && (
        <div className="compare" data-testid="compare">
          <Totals cmp={cmp} />
          {!cmp.sameWorkflow && <div className="muted small">These runs belong to different workflows; nodes are matched by id.</div>}
          <div className="row">
            <span className="muted small" data-testid="compare-summary">
              {cmp.differing === 0 ? 'Every node ended the same way with the same output.' : `${cmp.differing} of ${cmp.nodes.length} nodes differ.`}
            </span>
            <span className="spacer" />
            <label className="check small">
              <input type="checkbox" checked={onlyDiff} onChange={(e) => setOnlyDiff(e.target.checked)} /> Only differences
            </label>
          </div>
          <table className="compare-table">
            <thead>
              <tr>
                <th>Node</th>
                <th>Run A</th>
                <th>Run B</th>
                <th className="num">Executions</th>
                <th className="num">Duration</th>
                <th>Output</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((n) => (
                <Fragment key={n.nodeId}>
                  <tr className={`${n.differs ? 'differs' : ''}${open === n.nodeId ? ' on' : ''}`} data-node-id={n.nodeId} data-differs={n.differs} onClick={() => setOpen(open === n.nodeId ? null : n.nodeId)} aria-expanded={open === n.nodeId}>
                    <td>
                      <span className="cmp-caret" aria-hidden>
                        {open === n.nodeId ? '▾' : '▸'}
                      </span>
                      <b>{n.label}</b>
                      <div className="muted small mono">
                        {n.nodeId}
                        {n.definitionChanged && <span className="cmp-flag" title="The node was edited between the runs"> edited</span>}
                        {n.editedInRerun && <span className="cmp-flag" title="A rerun ran this node with an edited definition"> edited in a rerun</span>}
                      </div>
                    </td>
                    <td>
                      <Side side={n.a} />
                    </td>
                    <td>
                      <Side side={n.b} />
                    </td>
                    <td className="num">
                      {n.a?.attempts ?? '–'} / {n.b?.attempts ?? '–'}
                    </td>
                    <td className="num">
                      {formatDuration(n.a?.durationMs)} / {formatDuration(n.b?.durationMs)}
                    </td>
                    <td>{outputCell(n)}</td>
                  </tr>
                  {open === n.nodeId && (
                    <tr className="cmp-detail">
                      <td colSpan={6}>
                        {(['a', 'b'] as const).map(
                          (side) =>
                            n.rerunEdits[side].length > 0 && (
                              <div key={side} className="cmp-definition" data-testid={`rerun-edits-${side}`}>
                                <div className="section-title">Run {side.toUpperCase()}: edited in a rerun</div>
                                <ChangeTable changes={n.rerunEdits[side]} before="The run's snapshot" after="What its rerun ran" />
                              </div>
                            ),
                        )}
                        {n.definitionChanges.length > 0 && (
                          <div className="cmp-definition" data-testid="definition-changes">
                            <div className="section-title">Definition{n.editedInRerun ? ' (as the runs’ reruns left it)' : ''}</div>
                            <ChangeTable changes={n.definitionChanges} before="Run A" after="Run B" />
                          </div>
                        )}
                        <div className="cmp-outputs">
                          <div>
                            <div className="section-title">Run A output</div>
                            {n.a?.error ? <div className="error-box">{n.a.error}</div> : <ValueView value={n.a?.output} label="Output" />}
                          </div>
                          <div>
                            <div className="section-title">Run B output</div>
                            {n.b?.error ? <div className="error-box">{n.b.error}</div> : <ValueView value={n.b?.output} label="Output" />}
                          </div>
                        </div>
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
          {rows.length === 0 && <div className="muted">No node differs.</div>}
        </div>
      )}
    </Modal>
  );
}

const brief = (v: unknown) => {
  if (v === undefined) return '—';
  const t = typeof v === 'string' ? v : JSON.stringify(v);
  return t.length > 120 ? `${t.slice(0, 120)}…` : t;
};

function ChangeTable({ changes, before, after }: { changes: FieldChange[]; before: string; after: string }) {
  return (
    <table className="mini-table">
      <tbody>
        {changes.map((c) => (
          <tr key={c.field}>
            <td>
              <code>{c.field}</code>
            </td>
            <td title={before}>{brief(c.a)}</td>
            <td aria-hidden>→</td>
            <td title={after}>{brief(c.b)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function firstEvent(r: RunRecord): number {
  return r.events.length ? Math.min(...r.events.map((e) => e.ts)) : 0;
}

function outputCell(n: NodeComparison) {
  if (!n.a || !n.b) return <span className="cmp-tag differs">{n.a ? 'only in A' : 'only in B'}</span>;
  if (n.a.output === undefined && n.b.output === undefined) return <span className="muted">none</span>;
  return n.outputDiffers ? <span className="cmp-tag differs">differs</span> : <span className="cmp-tag same">same</span>;
}

function Side({ side }: { side?: NodeSide }) {
  if (!side) return <span className="muted">not in run</span>;
  return (
    <span className={`cmp-status status-${side.status}`} title={side.error}>
      <StatusIcon status={side.status} /> {STATUS_META[side.status].label}
      {side.cached && <span className="muted small"> · cached</span>}
    </span>
  );
}

function Totals({ cmp }: { cmp: RunComparison }) {
  return (
    <div className="cmp-totals">
      <RunCard label="A" t={cmp.a} />
      <RunCard label="B" t={cmp.b} />
    </div>
  );
}

function RunCard({ label, t }: { label: string; t: RunTotals }) {
  return (
    <div className="cmp-card">
      <div className="row">
        <span className="cmp-letter">{label}</span>
        <span className={`cmp-status status-${t.status}`}>
          <StatusIcon status={t.status} /> {STATUS_META[t.status].label}
        </span>
        <span className="spacer" />
        <button
          type="button"
          className="btn small"
          aria-label={`Open run ${label}`}
          onClick={() => {
            uiStore.getState().openDialog(null);
            void openRun(t.runId);
          }}
        >
          Open
        </button>
      </div>
      <div className="muted small">{t.startedAt ? new Date(t.startedAt).toLocaleString() : t.runId}</div>
      <div className="cmp-stats small">
        <span>
          {t.succeeded}/{t.nodes} succeeded
        </span>
        {t.failed > 0 && <span className="err">{t.failed} failed</span>}
        <span>{formatDuration(t.durationMs)}</span>
        <span>
          {t.retries} retr{t.retries === 1 ? 'y' : 'ies'}
        </span>
        <span>{t.tokens} tok</span>
        <span>${t.costUsd.toFixed(4)}</span>
      </div>
    </div>
  );
}
