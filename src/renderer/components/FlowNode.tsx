/**
 * The one node component of the canvas. Memoised and defined at module scope; it reads
 * its run status from the runs store by id, so a status event re-renders this node only.
 */
import { createContext, memo, useContext } from 'react';
import { BaseEdge, getBezierPath, Handle, Position, useStoreApi, type Edge as RFEdge, type EdgeProps, type MiniMapNodeProps, type Node as RFNode, type NodeProps } from '@xyflow/react';
import type { WorkflowNode } from '../../contract';
import { useGraph, useNodeView, useUi } from '../app/stores';
import { problemCountOf } from '../stores/graph';
import { KIND_ICON, STATUS_META } from './status';
import { StatusIcon } from './StatusIcon';
import './forms.css';

export type DiffMark = 'added' | 'removed' | 'changed';
export type FlowNodeData = { node: WorkflowNode; diff?: DiffMark };
export type FlowNodeType = RFNode<FlowNodeData, 'awe'>;
export type FlowEdgeData = { branch?: 'true' | 'false' };
export type FlowEdgeType = RFEdge<FlowEdgeData, 'awe'>;

const EMPTY: never[] = [];

/**
 * True while the canvas is zoomed out past the level-of-detail threshold: nodes then draw
 * as a box coloured by status, without text or icons, which the eye cannot read at that
 * scale anyway and which cost the browser layout and paint for every node. Provided by
 * the canvas from one narrow zoom selector, so only a threshold crossing re-renders nodes.
 */
export const ZoomedOutContext = createContext(false);

/** Below this zoom the canvas draws simplified nodes (React Flow's own advice for big graphs). */
export const DETAIL_ZOOM = 0.45;

/** Height of a simplified node that has never been measured at full detail. */
const LOD_FALLBACK_HEIGHT = 64;

/** What the node's output is checked against, in words: criteria first, then the rule checks. */
export function acceptanceSummary(a: WorkflowNode['acceptance']): string[] {
  if (!a) return EMPTY;
  const out = [...(a.criteria ?? [])];
  if (a.requiredFields?.length) out.push(`has ${a.requiredFields.join(', ')}`);
  if (a.nonEmpty) out.push(a.field ? `${a.field} not empty` : 'not empty');
  if (a.regex) out.push(`matches /${a.regex}/`);
  return out.length ? out : EMPTY;
}

function FlowNodeView({ id, data, selected }: NodeProps<FlowNodeType>) {
  const { node, diff } = data;
  const view = useNodeView(id);
  const status = view?.status;
  const problemCount = useGraph((s) => problemCountOf(s.problems, id));
  const pendingPlan = useUi((s) => s.pendingPlan !== null);
  const zoomedOut = useContext(ZoomedOutContext);
  const rf = useStoreApi();
  const meta = status ? STATUS_META[status] : undefined;
  const classes = ['awe-node', `kind-${node.kind}`];
  if (status) classes.push(`status-${status}`);
  if (problemCount) classes.push('has-problems');
  if (selected) classes.push('selected');
  if (diff) classes.push(`diff-${diff}`);
  if (pendingPlan && !diff) classes.push('diff-same');

  if (zoomedOut) {
    // Same box size as the detailed node, so React Flow does not re-measure every node (and
    // the handles, hence the edges, stay where they were) when the zoom crosses the threshold.
    const height = rf.getState().nodeLookup.get(id)?.measured?.height ?? LOD_FALLBACK_HEIGHT;
    classes.push('awe-node-lod');
    return (
      <div className={classes.join(' ')} data-node-id={id} data-status={status ?? 'idle'} style={{ height }} title={node.label || node.id}>
        <EdgeAnchors kind={node.kind} />
      </div>
    );
  }
  const criteria = acceptanceSummary(node.acceptance);

  return (
    <div
      className={classes.join(' ')}
      data-node-id={id}
      data-status={status ?? 'idle'}
      title={problemCount ? `${problemCount} problem(s): see the inspector` : undefined}
    >
      <Handle type="target" position={Position.Left} />
      <div className="awe-node-head">
        <span className="awe-node-kind" aria-hidden>
          {KIND_ICON[node.kind]}
        </span>
        <span className="awe-node-label" title={node.label || node.id}>
          {node.label || node.id}
        </span>
        {view?.cached && <span className="awe-node-badge" title="Output reused from cache">cached</span>}
      </div>
      <div className="awe-node-tool">{kindLine(node)}</div>
      {criteria.length > 0 && (
        <div className="awe-node-criteria" title={`Acceptance:\n${criteria.join('\n')}`}>
          <span className="awe-node-criteria-mark" aria-label="Acceptance">
            ✓
          </span>{' '}
          {criteria[0]}
          {criteria.length > 1 ? ` (+${criteria.length - 1})` : ''}
        </div>
      )}
      <div className="awe-node-foot">
        {meta ? (
          <span className="awe-node-status">
            <StatusIcon status={status!} className="awe-status-icon" />
            {meta.label}
            {view && view.retries > 0 ? ` · ${view.retries} retr${view.retries === 1 ? 'y' : 'ies'}` : ''}
          </span>
        ) : (
          <span className="awe-node-status muted">{node.id}</span>
        )}
        {problemCount > 0 && <span className="awe-node-problems">⚠ {problemCount}</span>}
        {diff && <span className={`awe-diff-tag diff-${diff}`}>{diff}</span>}
      </div>
      <NodeHandles kind={node.kind} sourceOnly labelled />
    </div>
  );
}

/** A condition's two out-handles say which branch they lead to, in words beside them. */
function NodeHandles({ kind, sourceOnly = false, labelled = false }: { kind: WorkflowNode['kind']; sourceOnly?: boolean; labelled?: boolean }) {
  return (
    <>
      {!sourceOnly && <Handle type="target" position={Position.Left} />}
      {kind === 'condition' ? (
        <>
          <Handle type="source" id="true" position={Position.Right} style={TRUE_HANDLE} className="branch-true" title="true: connect what runs when the test holds" aria-label="true branch" />
          <Handle type="source" id="false" position={Position.Right} style={FALSE_HANDLE} className="branch-false" title="false: connect what runs otherwise" aria-label="false branch" />
          {labelled && (
            <>
              <span className="handle-label branch-true" style={TRUE_HANDLE} aria-hidden>
                true
              </span>
              <span className="handle-label branch-false" style={FALSE_HANDLE} aria-hidden>
                false
              </span>
            </>
          )}
        </>
      ) : (
        <Handle type="source" position={Position.Right} />
      )}
    </>
  );
}

/**
 * Where edges attach to a simplified node: plain elements with React Flow's handle classes
 * and data attributes, at the same places as the real handles, so React Flow measures the
 * same attachment points. A real `<Handle>` subscribes to the flow's store (connection
 * state) and runs its selector on every pan frame; zoomed out nobody connects, so these
 * cost nothing after layout.
 */
const EdgeAnchors = memo(function EdgeAnchors({ kind }: { kind: WorkflowNode['kind'] }) {
  return (
    <>
      <div className="react-flow__handle react-flow__handle-left target" data-handlepos={Position.Left} aria-hidden />
      {kind === 'condition' ? (
        <>
          <div className="react-flow__handle react-flow__handle-right source branch-true" data-handleid="true" data-handlepos={Position.Right} style={TRUE_HANDLE} aria-hidden />
          <div className="react-flow__handle react-flow__handle-right source branch-false" data-handleid="false" data-handlepos={Position.Right} style={FALSE_HANDLE} aria-hidden />
        </>
      ) : (
        <div className="react-flow__handle react-flow__handle-right source" data-handlepos={Position.Right} aria-hidden />
      )}
    </>
  );
});

const TRUE_HANDLE = { top: '30%' };
const FALSE_HANDLE = { top: '62%' };

/** The node's second line: its tool, and for a map or an input what it runs or reads. */
function kindLine(node: WorkflowNode): string {
  if (node.kind === 'map') return node.tool ? `map · ${node.tool}` : 'map · no tool yet';
  if (node.kind === 'input' && typeof node.inputs.name === 'string' && node.inputs.name) return `input · ${node.inputs.name}`;
  return node.tool ?? node.kind;
}

export const FlowNode = memo(FlowNodeView);

/** An edge that animates while its target runs (reads the target's status by id). */
function FlowEdgeView({ id, target, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, data, selected, markerEnd }: EdgeProps<FlowEdgeType>) {
  const targetStatus = useNodeView(target)?.status;
  const zoomedOut = useContext(ZoomedOutContext);
  const [path, labelX, labelY] = getBezierPath({ sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition });
  const running = targetStatus === 'running' || targetStatus === 'retrying';
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} className={`awe-edge${running ? ' running' : ''}${selected ? ' selected' : ''}`} />
      {data?.branch && !zoomedOut && (
        <foreignObject x={labelX - 18} y={labelY - 10} width={36} height={20} className="awe-edge-label-wrap">
          <div className={`awe-edge-label branch-${data.branch}`}>{data.branch}</div>
        </foreignObject>
      )}
    </>
  );
}

export const FlowEdge = memo(FlowEdgeView);

/**
 * A minimap node that reads its status by id like the canvas node does: the minimap only
 * re-renders its nodes when the node array changes, so a class computed from the store at
 * that moment would keep the colour of the last edit, not of the last status event.
 */
function MiniMapNodeView({ id, x, y, width, height, selected, onClick }: MiniMapNodeProps) {
  const status = useNodeView(id)?.status;
  return (
    <rect
      className={`minimap-node${status ? ` status-${status}` : ''}${selected ? ' selected' : ''}`}
      data-node-id={id}
      data-status={status ?? 'idle'}
      x={x}
      y={y}
      rx={6}
      ry={6}
      width={width}
      height={height}
      onClick={onClick ? (e) => onClick(e, id) : undefined}
    />
  );
}

export const MiniMapNode = memo(MiniMapNodeView);

export const nodeTypes = { awe: FlowNode };
export const edgeTypes = { awe: FlowEdge };
