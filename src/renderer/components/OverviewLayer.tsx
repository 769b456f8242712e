/**
 * The zoomed-out picture of a large graph: every node and edge painted on one <canvas>
 * instead of thousands of DOM boxes and SVG paths. Measured (bench/ui.ts, 1,000 nodes
 * zoomed out), the DOM version spent most of each pan frame compositing one paint chunk
 * per node (`layerize`) and running React Flow's per-edge store selectors; the canvas is
 * one layer and one draw per frame.
 *
 * React Flow still owns the viewport (pan, zoom, fit) and the selection: the canvas keeps
 * the nodes in its store as hidden nodes, the selected ones stay real (drawn simplified
 * on top, so they can be dragged), and a click on the pane selects the node under it
 * (`nodeAt`). Zoomed back in, the canvas gives way to the full nodes.
 *
 * Edges have a canvas of their own, under the nodes': a run changes only node colours,
 * and repainting ~4,000 bezier edges with each batch of a 2,000-node run took the most of
 * its frames (the path and its software raster); now a batch repaints the boxes alone,
 * and of those only the ones whose status changed (overview-scene.ts: boxes snapped to
 * whole device pixels make that exact). The view, the graph, the selection, problems,
 * the theme or a resize repaint every box.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import { useReactFlow, useStoreApi } from '@xyflow/react';
import type { NodeStatus, WorkflowNode } from '../../contract';
import { graphStore, runsStore, uiStore } from '../app/stores';
import { problemCountOf } from '../stores/graph';
import { shownView } from '../stores/runs';
import { buildScene, changedItems, neighbour, paintScene, type Direction, type Palette, type Raster, type Scene } from './overview-scene';

export interface OverviewEdge {
  id: string;
  source: string;
  target: string;
  branch?: 'true' | 'false';
}

/** A node's box in flow coordinates: its measured size at full detail, or the usual one. */
export function nodeBox(n: WorkflowNode, sizes: ReadonlyMap<string, { width: number; height: number }>) {
  const size = sizes.get(n.id);
  const p = n.position ?? { x: 0, y: 0 };
  return { x: p.x, y: p.y, width: size?.width ?? UNMEASURED.width, height: size?.height ?? UNMEASURED.height };
}

/** The id of the topmost node whose box holds the flow point, if any (later nodes are drawn on top). */
export function nodeAt(nodes: readonly WorkflowNode[], sizes: ReadonlyMap<string, { width: number; height: number }>, point: { x: number; y: number }): string | undefined {
  for (let i = nodes.length - 1; i >= 0; i--) {
    const b = nodeBox(nodes[i], sizes);
    if (point.x >= b.x && point.x <= b.x + b.width && point.y >= b.y && point.y <= b.y + b.height) return nodes[i].id;
  }
  return undefined;
}

/** The size of a node never drawn at full detail: `.awe-node`'s width in styles.css, a usual height. */
export const UNMEASURED = { width: 210, height: 64 };

interface Props {
  nodes: readonly WorkflowNode[];
  edges: readonly OverviewEdge[];
  selectedIds: readonly string[];
  sizes: ReadonlyMap<string, { width: number; height: number }>;
}

export function OverviewLayer({ nodes, edges, selectedIds, sizes }: Props) {
  const ref = useRef<HTMLCanvasElement>(null);
  const edgesRef = useRef<HTMLCanvasElement>(null);
  const rf = useStoreApi();
  const { setCenter } = useReactFlow();
  /** The node the keyboard is on, outlined while the canvas has the focus. */
  const [focused, setFocused] = useState<string | null>(null);
  const [hasFocus, setHasFocus] = useState(false);
  const focusedId = hasFocus ? focused : null;
  // The latest props, read by the painter (which runs outside React, once per frame at most).
  const model = useRef({ nodes, edges, selectedIds, sizes, focusedId });
  model.current = { nodes, edges, selectedIds, sizes, focusedId };
  /** Asks for a repaint on the next frame: of everything (the view, the graph or the theme changed), of every node box, or of the boxes whose status changed. */
  const schedule = useRef<(what: 'all' | 'nodes' | 'status') => void>(() => undefined);

  useEffect(() => {
    const canvas = ref.current!;
    const edgeCanvas = edgesRef.current!;
    let frame = 0;
    let edgesStale = true;
    let nodesStale = true;
    let scene: Scene | undefined;
    let sceneDpr = 0;
    let colors: Colors | undefined;
    let colorsTheme: string | undefined;
    const paint = () => {
      frame = 0;
      const theme = document.documentElement.dataset.theme ?? '';
      if (!colors || colorsTheme !== theme) {
        colors = readColors(canvas);
        colorsTheme = theme;
        edgesStale = nodesStale = true;
      }
      const { transform, width, height } = rf.getState();
      const m = model.current;
      if (edgesStale) {
        drawEdges(edgeCanvas, width, height, transform, m, colors);
        edgesStale = false;
      }
      const views = shownView(runsStore.getState())?.nodes;
      const statusOf = (id: string) => views?.[id]?.status ?? '';
      const dpr = window.devicePixelRatio || 1;
      // Resizing a canvas clears it: then everything is painted again.
      if (fit(canvas, width, height, dpr) || dpr !== sceneDpr) nodesStale = true;
      const raster = canvasRaster(canvas.getContext('2d')!);
      const changed = nodesStale || !scene ? null : changedItems(scene, statusOf);
      if (changed) {
        if (changed.length) paintScene(raster, scene!, colors, changed);
      } else {
        const selected = new Set(m.selectedIds);
        const problems = graphStore.getState().problems;
        const markOf = (id: string) => (id === m.focusedId ? 'focused' : selected.has(id) ? 'selected' : problemCountOf(problems, id) ? 'flagged' : '');
        scene = buildScene(m.nodes, (n) => nodeBox(n, m.sizes), { transform, width, height, dpr }, statusOf, markOf);
        sceneDpr = dpr;
        nodesStale = false;
        paintScene(raster, scene, colors);
      }
      const counts = new Map<string, number>();
      for (const n of m.nodes) {
        const status = statusOf(n.id);
        counts.set(status, (counts.get(status) ?? 0) + 1);
      }
      // Set only when they change: a pan or a run repaints every frame, and a new name is announced.
      const label = summary(m.nodes.length, counts);
      if (canvas.getAttribute('aria-label') !== label) canvas.setAttribute('aria-label', label);
      if (canvas.dataset.drawnNodes !== String(m.nodes.length)) canvas.dataset.drawnNodes = String(m.nodes.length);
    };
    schedule.current = (what) => {
      if (what === 'all') edgesStale = true;
      if (what !== 'status') nodesStale = true;
      if (!frame) frame = requestAnimationFrame(paint);
    };
    // Pan and zoom (React Flow's store) and theme repaint everything; problems, the node boxes; run status, the boxes that changed.
    const offs = [
      rf.subscribe((s, prev) => {
        if (s.transform !== prev.transform || s.width !== prev.width || s.height !== prev.height) schedule.current('all');
      }),
      runsStore.subscribe((s, prev) => {
        if (shownView(s) !== shownView(prev)) schedule.current('status');
      }),
      graphStore.subscribe((s, prev) => {
        if (s.problems !== prev.problems) schedule.current('nodes');
      }),
      uiStore.subscribe((s, prev) => {
        if (s.theme !== prev.theme) schedule.current('all');
      }),
    ];
    paint();
    return () => {
      for (const off of offs) off();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [rf]);

  // New nodes, edges or sizes move edges; a new selection only outlines nodes.
  useEffect(() => schedule.current('all'), [nodes, edges, sizes]);
  useEffect(() => schedule.current('nodes'), [selectedIds, focusedId]);

  /**
   * The keyboard, as on the full canvas (where Tab walks the nodes and Enter selects one):
   * the overview is one Tab stop, the arrow keys move between the steps drawn (the nearest
   * one that way, brought into view), Enter or Space selects it and its inspector opens.
   */
  const onFocus = () => {
    setHasFocus(true);
    if (focused && nodes.some((n) => n.id === focused)) return;
    setFocused(selectedIds.find((id) => nodes.some((n) => n.id === id)) ?? nearestTopLeft(nodes, sizes, rf.getState().transform) ?? null);
  };
  const onKeyDown = (e: KeyboardEvent<HTMLCanvasElement>) => {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    const current = focused ? nodes.find((n) => n.id === focused) : undefined;
    const dir = ARROWS[e.key];
    if (dir && current) {
      e.preventDefault();
      const boxes = nodes.map((n) => ({ id: n.id, ...nodeBox(n, sizes) }));
      const next = neighbour(boxes, boxes.find((b) => b.id === current.id)!, dir);
      if (!next) return;
      setFocused(next.id);
      const { transform, width, height } = rf.getState();
      const [tx, ty, zoom] = transform;
      const onScreen = next.x * zoom + tx >= 0 && (next.x + next.width) * zoom + tx <= width && next.y * zoom + ty >= 0 && (next.y + next.height) * zoom + ty <= height;
      if (!onScreen) void setCenter(next.x + next.width / 2, next.y + next.height / 2, { zoom });
    } else if ((e.key === 'Enter' || e.key === ' ') && current) {
      e.preventDefault();
      uiStore.getState().select([current.id]);
    }
  };
  const focusedNode = focusedId ? nodes.find((n) => n.id === focusedId) : undefined;

  return (
    <>
      <canvas ref={edgesRef} className="overview-edges" aria-hidden />
      <canvas
        ref={ref}
        className="overview-layer"
        role="img"
        data-testid="overview-layer"
        tabIndex={0}
        aria-describedby="overview-focused"
        onFocus={onFocus}
        onBlur={() => setHasFocus(false)}
        onKeyDown={onKeyDown}
      />
      <div id="overview-focused" className="sr-only" role="status" data-testid="overview-focused">
        {focusedNode ? `${focusedNode.label || focusedNode.id}${describeStatus(focusedNode.id)}` : ''}
      </div>
    </>
  );
}

const ARROWS: Record<string, Direction | undefined> = { ArrowLeft: 'left', ArrowRight: 'right', ArrowUp: 'up', ArrowDown: 'down' };

/** The node nearest the top left corner of the view: where the keyboard starts when nothing is selected. */
function nearestTopLeft(nodes: readonly WorkflowNode[], sizes: ReadonlyMap<string, { width: number; height: number }>, [tx, ty, zoom]: [number, number, number]): string | undefined {
  const left = -tx / zoom;
  const top = -ty / zoom;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const n of nodes) {
    const b = nodeBox(n, sizes);
    const d = Math.hypot(Math.max(0, b.x - left), Math.max(0, b.y - top)) + (b.x < left || b.y < top ? 1e9 : 0);
    if (d < bestDistance) {
      best = n.id;
      bestDistance = d;
    }
  }
  return best;
}

/** ", succeeded" for a node of the shown run, nothing before a run. */
function describeStatus(id: string): string {
  const status = shownView(runsStore.getState())?.nodes[id]?.status;
  return status ? `, ${status}` : '';
}

/** The palette of the node boxes (by status, '' for none) and the edges' colour. */
interface Colors extends Palette {
  edge: string;
}

const STATUSES: readonly (NodeStatus | '')[] = ['', 'pending', 'queued', 'running', 'retrying', 'waiting', 'succeeded', 'failed', 'skipped', 'cancelled', 'stale', 'interrupted'];

/**
 * The simplified node's colours as styles.css gives them (`.awe-node-lod`, `.status-*`),
 * read from probe elements, so the canvas follows the theme and the stylesheet stays the
 * one place colours are defined.
 */
function readColors(canvas: HTMLCanvasElement): Colors {
  const host = document.createElement('div');
  host.style.display = 'none';
  canvas.parentElement!.appendChild(host);
  try {
    const probe = (className: string) => {
      const el = document.createElement('div');
      el.className = className;
      host.appendChild(el);
      return getComputedStyle(el);
    };
    const fill = new Map<string, string>();
    const stripe = new Map<string, string>();
    for (const status of STATUSES) {
      const s = probe(`awe-node awe-node-lod${status ? ` status-${status}` : ''}`);
      fill.set(status, s.backgroundColor);
      stripe.set(status, s.borderLeftColor);
    }
    const root = getComputedStyle(document.documentElement);
    return {
      edge: root.getPropertyValue('--border-strong').trim() || '#999',
      accent: root.getPropertyValue('--accent').trim() || '#55f',
      danger: root.getPropertyValue('--danger').trim() || '#c33',
      focus: root.getPropertyValue('--text').trim() || '#111',
      fill: (status) => fill.get(status) ?? fill.get('')!,
      stripe: (status) => stripe.get(status) ?? stripe.get('')!,
    };
  } finally {
    host.remove();
  }
}

/** What the canvas shows, in words (its accessible name): how many steps, and how many in each status. */
function summary(total: number, counts: Map<string, number>): string {
  const parts = [...counts].filter(([s]) => s).map(([s, n]) => `${n.toLocaleString('en')} ${s}`);
  return `Overview of ${total.toLocaleString('en')} steps${parts.length ? `: ${parts.join(', ')}` : ''}. Click a step to select it, or move to it with the arrow keys and press Enter; zoom in to see its details.`;
}

type Model = { nodes: readonly WorkflowNode[]; edges: readonly OverviewEdge[]; selectedIds: readonly string[]; sizes: ReadonlyMap<string, { width: number; height: number }> };

/** Sizes a canvas to the viewport in device pixels; whether it was resized (which cleared it). */
function fit(canvas: HTMLCanvasElement, width: number, height: number, dpr: number): boolean {
  const w = Math.max(1, Math.round(width * dpr));
  const h = Math.max(1, Math.round(height * dpr));
  if (canvas.width === w && canvas.height === h) return false;
  canvas.width = w;
  canvas.height = h;
  return true;
}

/** Paints a scene's rectangles on a canvas, in device pixels. */
function canvasRaster(ctx: CanvasRenderingContext2D): Raster {
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  return {
    clear: (r) => ctx.clearRect(r.x, r.y, r.w, r.h),
    fill: (color, rects) => {
      const path = new Path2D();
      for (const r of rects) path.rect(r.x, r.y, r.w, r.h);
      ctx.fillStyle = color;
      ctx.fill(path);
    },
  };
}

/** Sizes and clears a canvas for the viewport's transform; returns its context and the visible part of the flow. */
function prepare(canvas: HTMLCanvasElement, width: number, height: number, [tx, ty, zoom]: [number, number, number]) {
  const dpr = window.devicePixelRatio || 1;
  fit(canvas, width, height, dpr);
  const ctx = canvas.getContext('2d')!;
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.setTransform(dpr * zoom, 0, 0, dpr * zoom, dpr * tx, dpr * ty);
  // The visible part of the flow, to skip what is off screen.
  const left = -tx / zoom;
  const top = -ty / zoom;
  const right = left + width / zoom;
  const bottom = top + height / zoom;
  return { ctx, left, top, right, bottom, zoom };
}

/** Paints the edges at the viewport's transform: one path, as React Flow draws a bezier edge between a right and a left handle. */
function drawEdges(canvas: HTMLCanvasElement, width: number, height: number, transform: [number, number, number], m: Model, colors: Colors) {
  const { ctx, left, top, right, bottom, zoom } = prepare(canvas, width, height, transform);
  const boxes = new Map<string, ReturnType<typeof nodeBox>>();
  for (const n of m.nodes) boxes.set(n.id, nodeBox(n, m.sizes));

  const edgePath = new Path2D();
  for (const e of m.edges) {
    const s = boxes.get(e.source);
    const t = boxes.get(e.target);
    if (!s || !t) continue;
    const sx = s.x + s.width;
    const sy = s.y + s.height * (e.branch === 'true' ? 0.3 : e.branch === 'false' ? 0.62 : 0.5);
    const ex = t.x;
    const ey = t.y + t.height / 2;
    if (Math.max(sx, ex) < left || Math.min(sx, ex) > right || Math.max(sy, ey) < top || Math.min(sy, ey) > bottom) continue;
    const c = controlOffset(ex - sx);
    edgePath.moveTo(sx, sy);
    edgePath.bezierCurveTo(sx + c, sy, ex - c, ey, ex, ey);
  }
  ctx.lineWidth = Math.max(1.6, 1 / zoom);
  ctx.strokeStyle = colors.edge;
  ctx.stroke(edgePath);
}

/** React Flow's bezier control offset (getBezierPath, curvature 0.25) between a right and a left handle. */
function controlOffset(dx: number): number {
  return dx >= 0 ? 0.5 * dx : 0.25 * 25 * Math.sqrt(-dx);
}
