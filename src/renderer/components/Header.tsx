/** The toolbar: document actions, edit history, run control and the live run header. */
import { useEffect, useState } from 'react';
import { TERMINAL_RUN_STATUSES } from '../../contract';
import {
  autoLayout,
  cancelRun,
  copyWorkflow,
  exportRun,
  newWorkflow,
  runWorkflow,
  saveWorkflow,
  startUnsavedGuard,
  startWorkspaceSync,
  whyNotRunnable,
} from '../app/actions';
import { graphStore, sessionStore, uiStore, useGraph, useRuns, useSession, useUi } from '../app/stores';
import { shownTally } from '../stores/runs';
import { RunApprovalControl } from './ApprovalControls';
import { DocumentDialogs } from './DocumentDialogs';
import { DocumentMenu } from './DocumentMenu';
import { EngineBadge } from './EngineBadge';
import { folderName } from './WorkspaceDialog';
import { STATUS_META, formatDuration } from './status';
import { StatusIcon } from './StatusIcon';

export function Header() {
  const name = useGraph((s) => s.workflow.name);
  const dirty = useGraph((s) => s.dirty);
  const canUndo = useGraph((s) => s.past.length > 0);
  const canRedo = useGraph((s) => s.future.length > 0);
  const hasNodes = useGraph((s) => s.workflow.nodes.length > 0);
  const theme = useUi((s) => s.theme);
  const starting = useUi((s) => !!s.busy.run);
  const runStatus = useRuns((s) => (s.watchedRunId ? s.views[s.watchedRunId]?.status : undefined));
  const running = runStatus === 'running' || runStatus === 'waiting';
  const problemCount = useGraph((s) => s.problems.length);
  const notRunnable = useGraph((s) => whyNotRunnable(s.workflow, s.problems));
  const workspace = useSession((s) => s.workspace);
  useEffect(() => {
    const stopSync = startWorkspaceSync();
    const stopGuard = startUnsavedGuard();
    return () => {
      stopSync();
      stopGuard();
    };
  }, []);

  return (
    <header className="toolbar">
      <div className="brand" aria-hidden>
        AWE
      </div>
      <input className="wf-name" aria-label="Workflow name" value={name} onChange={(e) => graphStore.getState().rename(e.target.value || 'Untitled workflow')} />
      {dirty && (
        <span className="dirty" role="img" title="Unsaved changes" aria-label="Unsaved changes" data-testid="dirty-marker">
          ●
        </span>
      )}
      <button
        type="button"
        className={`btn ghost workspace-btn${workspace?.isDefault ? ' is-default' : ''}`}
        aria-label="Workspace"
        title={workspace ? `Workspace folder: ${workspace.path}${workspace.isDefault ? ' (Samples, until you choose one)' : ''}` : 'Workspace folder'}
        onClick={() => sessionStore.getState().openWorkspaceDialog(true)}
      >
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden focusable="false">
          <path d="M1.5 3.5h4.2l1.5 1.6h7.3v7.4h-13z" fill="none" stroke="currentColor" strokeWidth="1.4" strokeLinejoin="round" />
        </svg>
        <span className="workspace-name" data-testid="workspace-name">
          {workspace ? folderName(workspace.path) : '…'}
        </span>
      </button>
      <div className="tb-group">
        <button type="button" className="btn ghost wide-only" aria-label="New workflow" title="Start a new, empty workflow" onClick={() => void newWorkflow()}>
          New
        </button>
        <button type="button" className="btn ghost wide-only" aria-label="Open" title="Open a saved workflow" onClick={() => uiStore.getState().openDialog('open')}>
          Open
        </button>
        <button type="button" className="btn ghost" aria-label="Save" title="Save (Ctrl/⌘-S)" onClick={() => void saveWorkflow()} disabled={!hasNodes}>
          Save
        </button>
        <button type="button" className="btn ghost wide-only" aria-label="Save as" title="Save as a new workflow with its own name" onClick={() => void copyWorkflow('save-as')} disabled={!hasNodes}>
          Save as
        </button>
        <DocumentMenu />
      </div>
      <div className="tb-group">
        <button type="button" className="icon-btn" aria-label="Undo" title="Undo (Ctrl/⌘-Z)" disabled={!canUndo} onClick={() => graphStore.getState().undo()}>
          ↶
        </button>
        <button type="button" className="icon-btn" aria-label="Redo" title="Redo (Shift-Ctrl/⌘-Z)" disabled={!canRedo} onClick={() => graphStore.getState().redo()}>
          ↷
        </button>
        <button type="button" className="icon-btn" aria-label="Auto layout" title="Auto layout: arrange the graph left to right" disabled={!hasNodes} onClick={() => autoLayout(uiStore.getState().nodeSizes)}>
          <svg viewBox="0 0 16 16" width="15" height="15" aria-hidden focusable="false">
            <rect x="1.5" y="6" width="4" height="4" rx="1" fill="none" stroke="currentColor" strokeWidth="1.3" />
            <rect x="10.5" y="2" width="4" height="4" rx="1" fill="none" stroke="currentColor" strokeWidth="1.3" />
            <rect x="10.5" y="10" width="4" height="4" rx="1" fill="none" stroke="currentColor" strokeWidth="1.3" />
            <path d="M5.5 8h2.5M8 4v8M8 4h2.5M8 12h2.5" fill="none" stroke="currentColor" strokeWidth="1.3" />
          </svg>
        </button>
      </div>
      <div className="tb-group">
        <button
          type="button"
          className="btn primary"
          aria-label="Run"
          aria-describedby={notRunnable && hasNodes ? 'run-blocked-reason' : undefined}
          title={notRunnable ?? 'Run the workflow'}
          disabled={!!notRunnable || starting || running}
          onClick={() => void runWorkflow()}
        >
          ▶ Run
        </button>
        {problemCount > 0 && (
          <button type="button" className="btn ghost run-blocked" title={notRunnable} onClick={() => uiStore.getState().select([])}>
            <span aria-hidden>⚠ </span>
            {problemCount} {problemCount === 1 ? 'problem' : 'problems'}
            <span id="run-blocked-reason" className="sr-only">
              {notRunnable}
            </span>
          </button>
        )}
        <button type="button" className="btn danger-ghost" aria-label="Cancel run" disabled={!running} onClick={() => void cancelRun()}>
          ■<span className="btn-words"> Cancel</span>
        </button>
      </div>
      <RunHeader />
      <RunApprovalControl />
      <span className="spacer" />
      <EngineBadge />
      <button type="button" className="icon-btn" aria-label="Toggle theme" title={`Switch to ${theme === 'dark' ? 'light' : 'dark'} theme`} onClick={() => uiStore.getState().toggleTheme()}>
        {theme === 'dark' ? '☀' : '☾'}
      </button>
      <button type="button" className="icon-btn" aria-label="Settings" title="Settings" onClick={() => uiStore.getState().openDialog('settings')}>
        ⚙
      </button>
      <DocumentDialogs />
    </header>
  );
}

/** done/total, elapsed, retries, tokens, cost of the run on the canvas — at the replayed event while replaying. */
function RunHeader() {
  const runId = useRuns((s) => s.watchedRunId);
  const liveView = useRuns((s) => (s.watchedRunId ? s.views[s.watchedRunId] : undefined));
  const travelSeq = useRuns((s) => s.travelSeq);
  const travelView = useRuns((s) => s.travelView);
  const replayedAt = useRuns((s) => (s.travelSeq !== null && s.watchedRunId ? s.events[s.watchedRunId]?.bySeq(s.travelSeq)?.ts : undefined));
  const view = travelSeq !== null && travelView ? travelView : liveView;
  const tally = useRuns(shownTally);
  const [now, setNow] = useState(() => Date.now());
  const live = travelSeq === null && view && !TERMINAL_RUN_STATUSES.includes(view.status);
  useEffect(() => {
    if (!live) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [live]);
  if (!runId || !view) return null;
  const { total, done } = tally ?? { total: 0, done: 0 };
  // The header outlives runs: a tick from before this run started must not read as negative time.
  const until = view.finishedAt ?? replayedAt ?? (live ? Math.max(now, view.startedAt ?? now) : view.startedAt);
  const elapsed = view.startedAt && until !== undefined ? until - view.startedAt : undefined;
  const tokens = view.usage.promptTokens + view.usage.completionTokens;
  const meta = STATUS_META[view.status];
  return (
    <div className={`run-header status-${view.status}`} data-testid="run-header" data-run-id={runId} data-status={view.status}>
      <span className={`run-status status-${view.status}`} title={meta.label}>
        <StatusIcon status={view.status} /> <span className="run-status-label">{meta.label}</span>
      </span>

      <span className="progress" title="Nodes finished / total">
        {/* No width transition: a rerun finishes in milliseconds and an easing bar lagged behind the count (3/3 drawn 60 % full). */}
        <span className="bar" role="progressbar" aria-label="Nodes finished" aria-valuemin={0} aria-valuemax={total} aria-valuenow={done}>
          <span style={{ transform: `scaleX(${total ? done / total : 0})` }} />
        </span>
        <span data-testid="run-progress">
          {done}/{total}
        </span>
      </span>
      {/* The figures give way first when the header is narrow; status, progress and Export never do. */}
      <span className="run-stats">
        <span title="Elapsed">{formatDuration(elapsed)}</span>
        <span title="Retries">{view.retries} retr{view.retries === 1 ? 'y' : 'ies'}</span>
        <span title="Tokens">{tokens} tok</span>
        <span title="Cost">${view.usage.costUsd.toFixed(4)}</span>
      </span>
      {travelSeq !== null && (
        <span className="travel-tag" data-testid="replay-tag">
          Replaying event {travelSeq} of {liveView?.lastSeq ?? travelSeq}
        </span>
      )}
      <button type="button" className="icon-btn" aria-label="Export run" title="Export the run as a bundle" onClick={() => void exportRun(runId)}>
        {/* An SVG, not the ⤓ glyph: fonts without it drew a tiny mark that read as a stray comma. */}
        <svg viewBox="0 0 16 16" width="14" height="14" aria-hidden focusable="false">
          <path d="M8 2v8M4.5 6.8 8 10.3l3.5-3.5M3 13.5h10" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      </button>
    </div>
  );
}
