/**
 * The canvas: the workflow document drawn with React Flow, in controlled mode. Node
 * objects are derived per workflow node and reused while that node, its selection and its
 * measured size are unchanged, so edits and status updates touch only what changed.
 */
import { useCallback, useEffect, useMemo, useRef, useState, type DragEvent, type MouseEvent as ReactMouseEvent } from 'react';
import {
  Background,
  BackgroundVariant,
  ControlButton,
  Controls,
  MarkerType,
  MiniMap,
  ReactFlow,
  useReactFlow,
  useStore,
  type Connection,
  type EdgeChange,
  type NodeChange,
} from '@xyflow/react';
import type { Workflow, WorkflowNode } from '../../contract';
import { newNodeAt, plan } from '../app/actions';
import { graphStore, uiStore, useGraph, useUi } from '../app/stores';
import { DETAIL_ZOOM, edgeTypes, MiniMapNode, nodeTypes, ZoomedOutContext, type DiffMark, type FlowEdgeType, type FlowNodeType } from './FlowNode';
import { useKeyboardConnect } from './KeyboardConnect';
import { nodeAt, OverviewLayer, UNMEASURED } from './OverviewLayer';
import { kindForTool } from './status';

export const TOOL_DRAG_TYPE = 'application/awe-tool';

interface Cached {
  src: WorkflowNode;
  selected: boolean;
  hidden: boolean;
  diff?: DiffMark;
  measured?: { width: number; height: number };
  rf: FlowNodeType;
}

/** While a replan waits for Accept/Discard, show the proposal plus the nodes it would remove. */
function useDisplayed(): { wf: Workflow; marks: Map<string, DiffMark> | null } {
  const wf = useGraph((s) => s.workflow);
  const pending = useUi((s) => s.pendingPlan);
  return useMemo(() => {
    if (!pending) return { wf, marks: null };
    const marks = new Map<string, DiffMark>();
    for (const id of pending.diff.added) marks.set(id, 'added');
    for (const id of pending.diff.changed) marks.set(id, 'changed');
    const removed = new Set(pending.diff.removed);
    for (const id of removed) marks.set(id, 'removed');
    const keptIds = new Set(pending.workflow.nodes.map((n) => n.id));
    const ghosts = wf.nodes.filter((n) => removed.has(n.id) && !keptIds.has(n.id));
    return { wf: { ...pending.workflow, nodes: [...pending.workflow.nodes, ...ghosts] }, marks };
  }, [wf, pending]);
}

export function Canvas() {
  const { wf, marks } = useDisplayed();
  const selectedIds = useUi((s) => s.selectedNodeIds);
  const selectedEdgeIds = useUi((s) => s.selectedEdgeIds);
  const locked = marks !== null;
  const { screenToFlowPosition, fitView } = useReactFlow();
  const fitRequest = useUi((s) => s.fitRequest);
  useEffect(() => {
    if (!fitRequest) return;
    // Wait a frame so new nodes are measured before fitting.
    const t = requestAnimationFrame(() => void fitView({ ...FIT, duration: 200 }));
    return () => cancelAnimationFrame(t);
  }, [fitRequest, fitView]);
  const cache = useRef(new Map<string, Cached>());
  const sizes = useUi((s) => s.nodeSizes);
  const zoomedOut = useStore(selectZoomedOut);
  // Zoomed out on a large graph, one <canvas> draws the graph (OverviewLayer); React Flow
  // keeps the nodes as hidden ones (for fitting and selection) and draws the selected only.
  const overview = zoomedOut && !locked && wf.nodes.length > OVERVIEW_MIN_NODES;

  const nodes = useMemo(() => {
    const selected = new Set(selectedIds);
    const next = new Map<string, Cached>();
    const out = wf.nodes.map((n) => {
      const sel = selected.has(n.id);
      const hidden = overview && !sel;
      const diff = marks?.get(n.id);
      const measured = sizes.get(n.id);
      const prev = cache.current.get(n.id);
      if (prev && prev.src === n && prev.selected === sel && prev.hidden === hidden && prev.diff === diff && prev.measured === measured) {
        next.set(n.id, prev);
        return prev.rf;
      }
      const rf: FlowNodeType = {
        id: n.id,
        type: 'awe',
        position: n.position ?? { x: 0, y: 0 },
        data: { node: n, diff },
        selected: sel,
        // A hidden node is never measured; fitting the view needs a size for it.
        measured: hidden ? (measured ?? UNMEASURED) : measured,
        hidden,
        draggable: !locked,
        connectable: !locked,
      };
      next.set(n.id, { src: n, selected: sel, hidden, diff, measured, rf });
      return rf;
    });
    cache.current = next;
    return out;
  }, [wf.nodes, selectedIds, marks, sizes, locked, overview]);

  const edges = useMemo(() => {
    const selected = new Set(selectedEdgeIds);
    return wf.edges.map(
      (e): FlowEdgeType => ({
        id: e.id,
        source: e.source,
        target: e.target,
        sourceHandle: e.branch ?? null,
        type: 'awe',
        data: { branch: e.branch },
        selected: selected.has(e.id),
        markerEnd: { type: MarkerType.ArrowClosed, width: 16, height: 16 },
      }),
    );
  }, [wf.edges, selectedEdgeIds]);

  const onNodesChange = useCallback((changes: NodeChange<FlowNodeType>[]) => {
    const positions: Record<string, { x: number; y: number }> = {};
    const measured: [string, { width: number; height: number }][] = [];
    let selectionChanged = false;
    for (const c of changes) {
      if (c.type === 'position' && c.position) positions[c.id] = c.position;
      else if (c.type === 'dimensions' && c.dimensions) measured.push([c.id, c.dimensions]);
      else if (c.type === 'select') selectionChanged = true;
    }
    if (Object.keys(positions).length) graphStore.getState().moveNodes(positions, { transient: graphStore.getState().dragStart !== null });
    if (measured.length) uiStore.getState().setNodeSizes(measured);
    if (selectionChanged) {
      const cur = new Set(uiStore.getState().selectedNodeIds);
      for (const c of changes) if (c.type === 'select') toggle(cur, c.id, c.selected);
      uiStore.getState().select([...cur], uiStore.getState().selectedEdgeIds);
    }
  }, []);

  const onEdgesChange = useCallback((changes: EdgeChange<FlowEdgeType>[]) => {
    if (!changes.some((c) => c.type === 'select')) return;
    const cur = new Set(uiStore.getState().selectedEdgeIds);
    for (const c of changes) if (c.type === 'select') toggle(cur, c.id, c.selected);
    uiStore.getState().select(uiStore.getState().selectedNodeIds, [...cur]);
  }, []);

  const onConnect = useCallback((c: Connection) => {
    const branch = c.sourceHandle === 'true' || c.sourceHandle === 'false' ? c.sourceHandle : undefined;
    const res = graphStore.getState().connect(c.source, c.target, branch);
    if (!res.ok) uiStore.getState().notify('error', res.message);
  }, []);

  const isValidConnection = useCallback((c: Connection | FlowEdgeType) => c.source !== c.target, []);

  useDeleteKeys(locked);

  const onNodeDragStart = useCallback(() => graphStore.getState().beginDrag(), []);
  const onNodeDragStop = useCallback(() => graphStore.getState().endDrag(), []);

  const onDragOver = useCallback((e: DragEvent) => {
    if (!e.dataTransfer.types.includes(TOOL_DRAG_TYPE)) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = 'copy';
  }, []);

  const onDrop = useCallback(
    (e: DragEvent) => {
      const raw = e.dataTransfer.getData(TOOL_DRAG_TYPE);
      if (!raw) return;
      e.preventDefault();
      let item: { tool?: string; kind?: WorkflowNode['kind'] };
      try {
        item = JSON.parse(raw);
      } catch {
        item = { tool: raw };
      }
      const pos = screenToFlowPosition({ x: e.clientX, y: e.clientY });
      const at = { x: Math.round(pos.x - 110), y: Math.round(pos.y - 30) };
      if (item.tool) newNodeAt(item.tool, at, item.kind ?? kindForTool(item.tool));
      else if (item.kind) {
        const id = graphStore.getState().addNode({ kind: item.kind, inputs: {}, position: at });
        uiStore.getState().select([id]);
      }
    },
    [screenToFlowPosition],
  );

  const onPaneClick = useCallback(
    (e: ReactMouseEvent) => {
      const id = overview ? nodeAt(wf.nodes, sizes, screenToFlowPosition({ x: e.clientX, y: e.clientY })) : undefined;
      if (!id) return uiStore.getState().select([], []);
      // As a click on a node does: alone, or added to (removed from) the selection with a multi-select key.
      const multi = e.shiftKey || e.ctrlKey || e.metaKey;
      const cur = new Set(multi ? uiStore.getState().selectedNodeIds : []);
      toggle(cur, id, !(multi && cur.has(id)));
      // After React Flow's own handling of the click, which clears the selection it knows of.
      queueMicrotask(() => uiStore.getState().select([...cur]));
    },
    [overview, wf.nodes, sizes, screenToFlowPosition],
  );
  const large = wf.nodes.length > LARGE_GRAPH_NODES;
  const keyboardConnect = useKeyboardConnect();
  // null: the default for the graph's size; a click on the toggle decides from then on.
  const [minimapChoice, setMinimapChoice] = useState<boolean | null>(null);
  const showMinimap = wf.nodes.length > 0 && (minimapChoice ?? wf.nodes.length <= MINIMAP_MAX_NODES);

  return (
    <div className={`canvas${large ? ' large-graph' : ''}`} onDragOver={onDragOver} onDrop={onDrop} onKeyDown={keyboardConnect.onKeyDown}>
      {keyboardConnect.hint}
      <ZoomedOutContext.Provider value={zoomedOut}>
      <ReactFlow<FlowNodeType, FlowEdgeType>
        nodes={nodes}
        edges={overview ? NO_EDGES : edges}
        nodeTypes={nodeTypes}
        edgeTypes={edgeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={onConnect}
        isValidConnection={isValidConnection}
        onNodeDragStart={onNodeDragStart}
        onNodeDragStop={onNodeDragStop}
        onPaneClick={onPaneClick}
        deleteKeyCode={null}
        multiSelectionKeyCode={MULTI_KEYS}
        nodesConnectable={!locked}
        // Zoomed out, nearly every node is on screen and cheap to draw; culling would only
        // recompute the visible set (and re-render the node and edge lists) on every pan frame.
        onlyRenderVisibleElements={wf.nodes.length > 200 && !zoomedOut}
        fitView
        fitViewOptions={FIT}
        minZoom={0.05}
        proOptions={PRO}
      >
        <Background variant={BackgroundVariant.Dots} gap={18} size={1.2} />
        {overview && <OverviewLayer nodes={wf.nodes} edges={wf.edges} selectedIds={selectedIds} sizes={sizes} />}
        {/* The minimap leaves hidden nodes out, and zoomed out the whole graph is on screen anyway. */}
        {showMinimap && !overview && <MiniMap pannable zoomable nodeComponent={MiniMapNode} ariaLabel="Minimap" />}
        <Controls showInteractive={false}>
          {wf.nodes.length > 0 && (
            <ControlButton onClick={() => setMinimapChoice(!showMinimap)} aria-label={showMinimap ? 'Hide minimap' : 'Show minimap'} title={showMinimap ? 'Hide minimap' : 'Show minimap'} aria-pressed={showMinimap}>
              <svg viewBox="0 0 16 16" width="12" height="12" aria-hidden focusable="false">
                <rect x="1.5" y="2.5" width="13" height="11" rx="1.5" fill="none" stroke="currentColor" strokeWidth="1.4" />
                <rect x="4" y="5" width="4" height="3" fill="currentColor" />
                <rect x="9" y="8" width="3" height="3" fill="currentColor" />
              </svg>
            </ControlButton>
          )}
        </Controls>
      </ReactFlow>
      </ZoomedOutContext.Provider>
      {wf.nodes.length === 0 && (
        <div className="canvas-empty">
          <div className="canvas-empty-title">Type a goal, or drag a tool onto the canvas</div>
          <div className="muted">Plan turns a goal into steps; you can edit every step by hand.</div>
          <div className="canvas-examples" aria-label="Example goals">
            {EXAMPLE_GOALS.map((g) => (
              <button key={g} type="button" className="example-goal" onClick={() => void plan(g)}>
                {g}
              </button>
            ))}
          </div>
        </div>
      )}
    </div>
  );
}

/**
 * Delete and Backspace remove the selection only when the key was meant for the canvas:
 * focus on the canvas (or nowhere), never in a field, a button or a dialog. React Flow's
 * own delete key ignores only text fields, so a Backspace on the inspector's buttons, or
 * with Shift held in a field, deleted the selected node.
 */
export function canvasOwnsKey(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || el === document.body || el === document.documentElement) return true;
  if (el.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) return false;
  return !!el.closest?.('.react-flow__renderer, .react-flow__node, .react-flow__edge, .overview-layer');
}

function useDeleteKeys(locked: boolean) {
  useEffect(() => {
    if (locked) return;
    const onKey = (e: KeyboardEvent) => {
      if (!DELETE_KEYS.includes(e.key) || e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || e.shiftKey) return;
      if (!canvasOwnsKey(e.target) || uiStore.getState().dialog) return;
      const { selectedNodeIds, selectedEdgeIds } = uiStore.getState();
      if (!selectedNodeIds.length && !selectedEdgeIds.length) return;
      e.preventDefault();
      graphStore.getState().removeElements(selectedNodeIds, selectedEdgeIds);
      uiStore.getState().select([], []);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [locked]);
}

function toggle(set: Set<string>, id: string, on: boolean) {
  if (on) set.add(id);
  else set.delete(id);
}

/** Goals the offline planner understands, so a first click shows a real plan without a key. */
const EXAMPLE_GOALS = ['Write a deployment runbook checklist for the payments service', 'Index the markdown files in docs/', 'Clean data/customers.csv and remove duplicates'];

/**
 * Above this many nodes the canvas drops its animations (running pulse, spinning icons,
 * dashed running edges) and node shadows: each animated node is a layer the browser
 * re-composites every frame, which made a 2,000-node streaming run drop to ~2 fps.
 */
export const LARGE_GRAPH_NODES = 300;

/**
 * Above this many nodes the minimap starts hidden (the control bar toggles it): it draws
 * every node a second time and repaints on each status batch of a streaming run.
 */
export const MINIMAP_MAX_NODES = 500;

/**
 * Above this many nodes, zoomed out past the detail threshold, the canvas draws the graph
 * on one <canvas> (OverviewLayer). Not below: up to here the simplified DOM nodes keep
 * up (bench/ui.ts), can be dragged without selecting them first, and the minimap, shown
 * by default up to here, keeps its nodes.
 */
export const OVERVIEW_MIN_NODES = MINIMAP_MAX_NODES;
const NO_EDGES: FlowEdgeType[] = [];

const selectZoomedOut = (s: { transform: [number, number, number] }) => s.transform[2] < DETAIL_ZOOM;

const DELETE_KEYS = ['Delete', 'Backspace'];
const MULTI_KEYS = ['Meta', 'Control', 'Shift'];
// Hidden nodes (drawn by the overview layer) count when fitting the view.
const FIT = { padding: 0.12, maxZoom: 1.1, includeHiddenNodes: true };
const PRO = { hideAttribution: true };
