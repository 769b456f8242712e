/** Bottom panel: timeline with time-travel scrubber, artifacts with preview/export, dead letters. */
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import Papa from 'papaparse';
import { TERMINAL_RUN_STATUSES, type Artifact, type ArtifactPreview, type EngineEvent } from '../../contract';
import { exportRun, rerunNode, retryAllFailed } from '../app/actions';
import { runsStore, uiStore, useGraph, useRuns, useUi } from '../app/stores';
import type { EventLog } from '../stores/event-log';
import { followWatchedLog, watchedLog } from '../stores/live-log';
import { errorMessage, getAwe } from '../api/client';
import { countRender } from '../app/render-count';
import { ArtifactList } from './ArtifactList';
import { ScorecardPanel } from './ScorecardPanel';
import { JsonTree, Markdown } from './common';
import { formatBytes } from './status';
import { useRovingFocus } from './roving';


export function BottomPanel() {
  countRender('BottomPanel');
  const open = useUi((s) => s.bottomOpen);
  const tab = useUi((s) => s.bottomTab);
  const artifactCount = useRuns((s) => (s.watchedRunId ? (s.views[s.watchedRunId]?.artifacts.length ?? 0) : 0));
  const deadCount = useRuns((s) => (s.watchedRunId ? (s.views[s.watchedRunId]?.deadLetters.length ?? 0) : 0));
  const tabs = [
    { id: 'timeline', label: 'Timeline' },
    { id: 'artifacts', label: 'Artifacts', count: artifactCount },
    { id: 'dead-letters', label: 'Dead letters', count: deadCount },
    { id: 'scorecard', label: 'Scorecard' },
  ] as const;
  return (
    <section className={`bottom${open ? '' : ' collapsed'}`} aria-label="Run details">
      <div className="bottom-tabs" role="tablist">
        {tabs.map((t) => (
          <button key={t.id} type="button" role="tab" aria-selected={open && tab === t.id} className={open && tab === t.id ? 'on' : ''} onClick={() => uiStore.getState().setBottomTab(t.id)}>
            {t.label}
            {'count' in t && t.count > 0 && <span className={`count${t.id === 'dead-letters' ? ' danger' : ''}`}>{t.count}</span>}
          </button>
        ))}
        <span className="spacer" />
        <button type="button" className="icon-btn" aria-label={open ? 'Collapse panel' : 'Expand panel'} onClick={() => uiStore.getState().setBottomOpen(!open)}>
          {open ? '▾' : '▴'}
        </button>
      </div>
      {open && tab === 'timeline' && <Timeline />}
      {open && tab === 'artifacts' && <Artifacts />}
      {open && tab === 'dead-letters' && <DeadLetters />}
      {open && tab === 'scorecard' && <ScorecardPanel />}
    </section>
  );
}

function summary(e: EngineEvent): string {
  switch (e.type) {
    case 'node.status':
      return `${e.status}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}${e.error ? ` — ${e.error.message}` : e.detail ? ` — ${e.detail}` : ''}`;
    case 'node.log':
      return `${e.level}: ${e.message}`;
    case 'node.retry':
      return `retry ${e.attempt} in ${Math.round(e.delayMs)} ms — ${e.error.message}`;
    case 'node.output':
      return e.cached ? 'output (from cache)' : 'output';
    case 'node.rerun':
      return `rerun (${e.mode}): ${e.nodes.join(', ')}`;
    case 'node.definition':
      return `definition edited for this rerun: ${e.changed.join(', ') || 'no field changed'}`;
    case 'node.verdict':
      return `${e.pass ? 'accepted' : 'rejected'} by ${e.judge}${e.reasons.length ? ` — ${e.reasons[0]}` : ''}`;
    case 'node.usage':
      return `${e.usage.promptTokens + e.usage.completionTokens} tokens`;
    case 'artifact.created':
      return `artifact ${e.artifact.name}`;
    case 'approval.requested':
      return e.message;
    case 'approval.resolved':
      return e.approved ? 'approved' : 'rejected';
    case 'run.started':
      return `${e.nodeIds.length} nodes`;
    case 'run.status':
      return e.status;
    case 'run.finished':
      return `${e.status}${e.error ? ` — ${e.error}` : ''}`;
  }
}

const EventRow = memo(function EventRow({ e, t0, current }: { e: EngineEvent; t0: number; current: boolean }) {
  const nodeId = 'nodeId' in e ? e.nodeId : undefined;
  const text = summary(e);
  return (
    <tr
      className={current ? 'on' : ''}
      data-roving-row
      data-roving-cell="primary"
      onClick={() => {
        runsStore.getState().travelTo(e.seq);
        if (nodeId) uiStore.getState().select([nodeId]);
      }}
    >
      <td className="num">{e.seq}</td>
      <td className="num muted">+{((e.ts - t0) / 1000).toFixed(2)}s</td>
      <td className={`ev-type ev-${e.type.replace('.', '-')}`}>{e.type}</td>
      <td>{nodeId ?? ''}</td>
      <td className="ev-summary" title={text.length > 80 ? text : undefined}>
        {text.split('\n', 1)[0]}
      </td>
    </tr>
  );
});

/**
 * Rows kept in the DOM once the person looks back through the log (scrolls it or moves into
 * it): the log shows the latest ones up to the scrubber's position.
 */
const VISIBLE_ROWS = 300;
/**
 * Rows kept while the run streams: those the log's height holds (rows are at least
 * ROW_MIN_PX tall) and a few more. Each redraw of a streaming run changes every row
 * (hundreds of events arrive between two redraws), and laying out and painting 60 rows of it
 * was the most of the frames of a 2,000-node run that took two vsyncs (bench/ui.ts).
 */
const ROW_MIN_PX = 16;
/** Rows kept once the run has ended, until the person looks back. */
const LIVE_ROWS = 60;

/** While a run streams, the log redraws at most this often (stores/live-log.ts says why). */
const LIVE_LOG_INTERVAL_MS = 250;

/** The watched run's event log, updated at once when the run changes and at most every LIVE_LOG_INTERVAL_MS as it grows. */
function useWatchedLog(): EventLog {
  const [log, setLog] = useState(() => watchedLog(runsStore.getState()));
  useEffect(() => followWatchedLog(runsStore, setLog, LIVE_LOG_INTERVAL_MS), []);
  return log;
}

/** How many rows the element's height holds, and a few more (null until it is measured); the ref goes on the element. */
function useRowsThatFit(): [number | null, (el: HTMLElement | null) => void] {
  const [fits, setFits] = useState<number | null>(null);
  const observer = useRef<ResizeObserver | null>(null);
  const ref = useCallback((el: HTMLElement | null) => {
    observer.current?.disconnect();
    observer.current = null;
    if (!el) return;
    const rowsFor = (height: number) => Math.ceil(height / ROW_MIN_PX) + 4;
    // Measured now, in the commit that adds the element, so its first paint (a run starting
    // under way) already keeps to what fits; the observer's first answer comes a frame later.
    if (el.clientHeight) setFits(rowsFor(el.clientHeight));
    observer.current = new ResizeObserver(([entry]) => setFits(rowsFor(entry.contentRect.height)));
    observer.current.observe(el);
  }, []);
  return [fits, ref];
}

function Timeline() {
  countRender('Timeline');
  const runId = useRuns((s) => s.watchedRunId);
  const events = useWatchedLog();
  const travelSeq = useRuns((s) => s.travelSeq);
  const streaming = useRuns((s) => s.travelSeq === null && !!s.watchedRunId && !TERMINAL_RUN_STATUSES.includes(s.views[s.watchedRunId]?.status ?? 'succeeded'));
  // Until the person looks back, LIVE_ROWS: laying out 300 rows at once, in the frame a run
  // ends, was the longest task of a 2,000-node run (bench/ui.ts).
  const [lookingBack, setLookingBack] = useState(false);
  useEffect(() => setLookingBack(false), [runId]);
  const [fits, logRef] = useRowsThatFit();
  const rows = streaming ? Math.min(fits ?? LIVE_ROWS, LIVE_ROWS) : lookingBack ? VISIBLE_ROWS : LIVE_ROWS;
  const last = events.last?.seq ?? 0;
  const at = travelSeq ?? last;
  const roving = useRovingFocus<HTMLTableSectionElement>();
  // Only the rows shown are read from the log (a binary search finds `at`), never the whole run.
  const shown = useMemo(() => {
    const end = events.countUpTo(at);
    return events.slice(end - rows, end).reverse();
  }, [events, at, rows]);
  if (!runId) return <div className="bottom-body empty muted" data-testid="timeline">Run the workflow to see its events here; drag the scrubber to replay any moment.</div>;
  const t0 = events.at(0)?.ts ?? 0;
  return (
    <div className="bottom-body timeline" data-testid="timeline">
      <div className="scrubber row">
        <label htmlFor="scrub" className="muted small">
          Replay
        </label>
        <input
          id="scrub"
          type="range"
          aria-label="Timeline position"
          min={0}
          max={last}
          value={at}
          onChange={(e) => runsStore.getState().travelTo(Number(e.target.value))}
        />
        <span className="num small">
          {at} / {last}
        </span>
        <button type="button" className={`btn small${travelSeq === null ? ' on' : ''}`} aria-label="Back to live" onClick={() => runsStore.getState().travelTo(null)}>
          {travelSeq === null ? '● Live' : 'Go live'}
        </button>
      </div>
      <div className="event-log" ref={logRef} onScroll={() => setLookingBack(true)} onFocus={() => setLookingBack(true)}>
        <table aria-label="Events" aria-description="Arrow keys move between events; Enter replays the run up to the event.">
          <tbody {...roving}>
            {/* Streaming, a row stays and shows the event now at its place: new text, not new rows. */}
            {shown.map((e, i) => (
              <EventRow key={streaming ? i : e.seq} e={e} t0={t0} current={e.seq === at && travelSeq !== null} />
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

function DeadLetters() {
  countRender('DeadLetters');
  const runId = useRuns((s) => s.watchedRunId);
  const view = useRuns((s) => (s.watchedRunId ? s.views[s.watchedRunId] : undefined));
  const dead = view?.deadLetters ?? [];
  const imported = useRuns((s) => !!s.history.find((r) => r.runId === s.watchedRunId)?.importedFrom);
  // The labels of the dead nodes only, as one string: moving or editing any other node does not re-render the list.
  const labelText = useGraph((s) => deadLabels(s.workflow.nodes, dead));
  const labels = useMemo(() => JSON.parse(labelText) as Record<string, string>, [labelText]);
  const labelOf = (id: string) => labels[id];
  return (
    <div className="bottom-body" data-testid="dead-letters">
      <div className="row">
        <span className="muted">{dead.length ? `${dead.length} node(s) failed terminally.` : runId ? 'No failed nodes in this run.' : 'No run yet.'}</span>
        <span className="spacer" />
        <button
          type="button"
          className="btn"
          aria-label="Retry all failed"
          title={imported ? 'An imported run is read-only here' : undefined}
          disabled={!dead.length || imported}
          onClick={() => void retryAllFailed()}
        >
          Retry all failed
        </button>
      </div>
      <ul className="dead-list">
        {dead.map((id) => {
          const n = view!.nodes[id];
          return (
            <li key={id} data-node-id={id}>
              <button type="button" className="dead-node" title="Select this node" onClick={() => uiStore.getState().select([id])}>
                <b>{labelOf(id) ?? id}</b>
                <code className="muted">{id}</code>
              </button>
              <span className="dead-error">
                {n?.error?.class && <span className="badge err-badge">{n.error.class}</span>} {n?.error?.code && <code className="muted">{n.error.code}</code>} {n?.error?.message ?? ''}
              </span>
              <button type="button" className="btn small" aria-label={`Retry ${id}`} onClick={() => void rerunNode(id, 'downstream')}>
                Retry
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

/** `{id: label}` of the given nodes, as JSON (a string compares by value in a store selector). */
function deadLabels(nodes: readonly { id: string; label?: string }[], ids: readonly string[]): string {
  if (!ids.length) return '{}';
  const want = new Set(ids);
  const out: Record<string, string> = {};
  for (const n of nodes) if (want.has(n.id) && n.label) out[n.id] = n.label;
  return JSON.stringify(out);
}

function Artifacts() {
  const runId = useRuns((s) => s.watchedRunId);
  const artifacts = useRuns((s) => (s.watchedRunId ? s.views[s.watchedRunId]?.artifacts : undefined));
  const [selected, setSelected] = useState<string | null>(null);
  // Until the person picks one, preview the newest artifact (the current version of what was saved last).
  const current = artifacts?.find((a) => a.id === selected) ?? artifacts?.[artifacts.length - 1];
  const nodesWithArtifacts = new Set(artifacts?.map((a) => a.nodeId)).size;
  const earlier = (artifacts?.length ?? 0) - nodesWithArtifacts;
  return (
    <div className="bottom-body artifacts" data-testid="artifacts">
      <div className="artifact-list">
        <div className="row">
          <span className="muted small">
            {artifacts?.length
              ? `${nodesWithArtifacts} current artifact${nodesWithArtifacts === 1 ? '' : 's'}${earlier ? ` · ${earlier} earlier version${earlier === 1 ? '' : 's'} from reruns` : ''}`
              : runId
                ? 'This run has produced no artifacts yet.'
                : 'No run yet.'}
          </span>
          <span className="spacer" />
          {runId && (
            <button type="button" className="btn small" aria-label="Export run bundle" onClick={() => void exportRun(runId)}>
              Export run bundle
            </button>
          )}
        </div>
        <ArtifactList artifacts={artifacts ?? []} selectedId={current?.id} onSelect={setSelected} />
      </div>
      <div className="artifact-preview">{current ? <Preview artifact={current} /> : <div className="muted">Select an artifact to preview it.</div>}</div>
    </div>
  );
}

function Preview({ artifact }: { artifact: Artifact }) {
  const [p, setP] = useState<ArtifactPreview | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setP(null);
    setError(null);
    getAwe()
      .artifactsPreview({ artifactId: artifact.id, maxBytes: 512 * 1024 })
      .then((r) => live && setP(r))
      .catch((e) => live && setError(errorMessage(e)));
    return () => {
      live = false;
    };
  }, [artifact.id]);
  if (error) return <div className="field-error">Preview failed: {error}</div>;
  if (!p) return <div className="muted">Loading preview…</div>;
  const mime = artifact.mime;
  let body: React.ReactNode;
  if (p.base64 && mime.startsWith('image/')) body = <img className="artifact-img" alt={artifact.name} src={`data:${mime};base64,${p.base64}`} />;
  else if (p.text === undefined) body = <div className="muted">No preview for {mime}; export it to open.</div>;
  else if (mime.includes('markdown') || /\.md$/i.test(artifact.name)) body = <Markdown text={p.text} />;
  else if (mime.includes('json')) body = <JsonPreview text={p.text} />;
  else if (mime.includes('csv') || /\.csv$/i.test(artifact.name)) body = <CsvTable text={p.text} />;
  else body = <pre className="pre">{p.text}</pre>;
  return (
    <>
      <div className="preview-head">
        <b>{artifact.name}</b> <span className="muted small">{mime} · {formatBytes(artifact.size)} · from {artifact.nodeId}</span>
        {p.truncated && <span className="muted small"> · preview cut</span>}
      </div>
      {body}
    </>
  );
}

function JsonPreview({ text }: { text: string }) {
  try {
    return (
      <div className="json-tree">
        <JsonTree value={JSON.parse(text)} />
      </div>
    );
  } catch {
    return <pre className="pre">{text}</pre>;
  }
}

function CsvTable({ text }: { text: string }) {
  const rows = useMemo(() => Papa.parse<string[]>(text.trim(), { skipEmptyLines: true }).data.slice(0, 500), [text]);
  const [head, ...body] = rows;
  return (
    <table className="csv-table">
      {head && (
        <thead>
          <tr>{head.map((h, i) => <th key={i}>{h}</th>)}</tr>
        </thead>
      )}
      <tbody>
        {body.map((r, i) => (
          <tr key={i}>{r.map((c, j) => <td key={j}>{c}</td>)}</tr>
        ))}
      </tbody>
    </table>
  );
}
