/**
 * The inspector's Rerun buttons. A rerun runs the node with the definition the inspector
 * shows (and, from here, the downstream nodes with theirs): the person edits the form,
 * then reruns. When the canvas graph no longer has the run's shape, a rerun cannot use
 * it, and the bar says a full Run is needed instead of rerunning something else silently.
 * An imported run is read-only here (its tools, files and workspace are where it was made).
 */
import { useMemo, useState } from 'react';
import { changedFields, revisedSnapshot, shapeChange, type WorkflowNode } from '../../contract';
import { rerunNode } from '../app/actions';
import { countRender } from '../app/render-count';
import { useGraph, useRuns } from '../app/stores';
import { workflowShapeSelector } from '../stores/workflow-shape';

const NO_DEFINITIONS: Record<string, WorkflowNode[]> = {};

export function RerunBar({ node }: { node: WorkflowNode }) {
  // Nodes, edges and definitions matter here, not positions: a drag elsewhere does not re-render this.
  const wf = useGraph(useState(workflowShapeSelector)[0]);
  countRender('RerunBar');
  const snapshot = useRuns((s) => (s.watchedRunId ? s.snapshots[s.watchedRunId] : undefined));
  const definitions = useRuns((s) => (s.watchedRunId ? s.views[s.watchedRunId]?.definitions : undefined) ?? NO_DEFINITIONS);
  const imported = useRuns((s) => !!s.history.find((r) => r.runId === s.watchedRunId)?.importedFrom);
  const runGraph = useMemo(() => (snapshot ? revisedSnapshot(snapshot, definitions) : undefined), [snapshot, definitions]);
  const shape = useMemo(() => (runGraph ? shapeChange(runGraph, wf) : undefined), [runGraph, wf]);
  const ran = runGraph?.nodes.find((n) => n.id === node.id);
  const edits = useMemo(() => (ran && !shape ? changedFields(ran, node) : []), [ran, node, shape]);

  return (
    <div className="rerun" data-testid="rerun-bar">
      <div className="rerun-bar">
        <button
          type="button"
          className="btn"
          disabled={!!shape || imported}
          title="Run only this node again, with the definition shown here; downstream keeps its outputs"
          onClick={() => void rerunNode(node.id, 'only')}
        >
          Rerun node
        </button>
        <button
          type="button"
          className="btn"
          disabled={!!shape || imported}
          title="Run this node and everything downstream again, each with the definition the editor has now"
          onClick={() => void rerunNode(node.id, 'downstream')}
        >
          Rerun from here
        </button>
      </div>
      {imported ? (
        <p className="rerun-note muted small" role="note">
          This run was imported: it is read-only here. Rerun it where it was made.
        </p>
      ) : shape ? (
        <p className="rerun-note warn" role="note">
          The graph changed since this run ({shape}). A rerun keeps the run’s graph, so press Run to run the new one.
        </p>
      ) : (
        <p className="rerun-note muted small" role="note">
          Reruns use the definition shown here.
          {edits.length > 0 && (
            <>
              {' '}
              Edited since this run: <span data-testid="rerun-edits">{edits.join(', ')}</span>.
            </>
          )}
        </p>
      )}
    </div>
  );
}
