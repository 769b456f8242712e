/**
 * What the overview canvas paints for its nodes, in whole device pixels, and which part of
 * it a batch of status changes repaints.
 *
 * Every shape is an axis-aligned rectangle snapped to whole device pixels, so nothing is
 * anti-aliased: a pixel belongs to one shape or to none. Repainting a node whose status
 * changed is then exact: clear the rectangle it covers (its extent) and paint it again,
 * and the canvas equals what a full repaint would give, as long as no other node reaches
 * into that extent (overlapping nodes are repainted in full). An earlier attempt that
 * repainted boxes at fractional coordinates left anti-aliased edges of a neighbour's
 * colour behind. Repainting only the changed boxes is what keeps a streaming 2,000-node
 * run within its frames: a full repaint of every box took 12–27 ms of software painting
 * per status batch.
 */
import type { WorkflowNode } from '../../contract';

/** A rectangle in device pixels: whole numbers, width and height at least 1. */
export interface PixelRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** An outline: the keyboard's focus, the selection, or validation problems. */
export type Mark = 'focused' | 'selected' | 'flagged' | '';

/** One node as painted. */
export interface SceneItem {
  id: string;
  box: PixelRect;
  /** The status stripe on the box's left side. */
  stripe: PixelRect;
  /** The outline of a focused, selected or flagged node: four strips around the box. */
  ring: readonly PixelRect[];
  mark: Mark;
  /** Every pixel the node paints. */
  extent: PixelRect;
  /** The status it was last painted in ('' for none). */
  status: string;
}

export interface Scene {
  /** The canvas in device pixels. */
  width: number;
  height: number;
  /** The nodes on screen, in paint order. */
  items: SceneItem[];
  /** Per item: whether no other item's extent touches its extent (found when first needed). */
  isolated?: Uint8Array;
}

/** What a scene is painted with: a canvas's 2D context in the app, a pixel array in tests. */
export interface Raster {
  clear(r: PixelRect): void;
  fill(color: string, rects: readonly PixelRect[]): void;
}

export interface Palette {
  fill(status: string): string;
  stripe(status: string): string;
  accent: string;
  danger: string;
  /** The keyboard focus's outline. */
  focus: string;
}

export interface View {
  /** React Flow's transform: [x, y, zoom] in CSS pixels. */
  transform: readonly [number, number, number];
  /** The canvas's size in CSS pixels. */
  width: number;
  height: number;
  dpr: number;
}

/** A flow-coordinate box in device pixels, its edges rounded to whole pixels (never thinner than one). */
export function snap(b: { x: number; y: number; width: number; height: number }, { transform: [tx, ty, zoom], dpr }: View): PixelRect {
  const x = Math.round(dpr * (tx + zoom * b.x));
  const y = Math.round(dpr * (ty + zoom * b.y));
  return { x, y, w: Math.max(1, Math.round(dpr * (tx + zoom * (b.x + b.width))) - x), h: Math.max(1, Math.round(dpr * (ty + zoom * (b.y + b.height))) - y) };
}

const grow = (r: PixelRect, by: number): PixelRect => ({ x: r.x - by, y: r.y - by, w: r.w + 2 * by, h: r.h + 2 * by });

/** The four strips of a ring of `width` around `r`, `gap` pixels away from it. */
function ring(r: PixelRect, gap: number, width: number): PixelRect[] {
  const o = grow(r, gap + width);
  return [
    { x: o.x, y: o.y, w: o.w, h: width },
    { x: o.x, y: o.y + o.h - width, w: o.w, h: width },
    { x: o.x, y: o.y + width, w: width, h: o.h - 2 * width },
    { x: o.x + o.w - width, y: o.y + width, w: width, h: o.h - 2 * width },
  ];
}

const intersects = (a: PixelRect, b: PixelRect) => a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;

/**
 * The nodes on screen as they are painted. `box` gives a node's box in flow coordinates,
 * `statusOf` its status, `markOf` whether it is outlined.
 */
export function buildScene(
  nodes: readonly WorkflowNode[],
  box: (n: WorkflowNode) => { x: number; y: number; width: number; height: number },
  view: View,
  statusOf: (id: string) => string,
  markOf: (id: string) => Mark,
): Scene {
  const width = Math.max(1, Math.round(view.width * view.dpr));
  const height = Math.max(1, Math.round(view.height * view.dpr));
  const zoom = view.transform[2];
  // As the DOM node draws them: a 4 px status stripe; the outlines 3 (selected) and 4 (flagged)
  // flow units out, at least 2 CSS pixels wide; the keyboard's focus a little further out, as a focus ring is.
  const stripeWidth = Math.max(1, Math.round(4 * zoom * view.dpr));
  const lineWidth = Math.max(1, Math.round(view.dpr * Math.max(2, 3 * zoom)));
  const items: SceneItem[] = [];
  const screen = { x: 0, y: 0, w: width, h: height };
  for (const n of nodes) {
    const r = snap(box(n), view);
    const mark = markOf(n.id);
    const gap = mark === 'focused' ? Math.round(view.dpr * 2) : mark ? Math.max(0, Math.round(view.dpr * zoom * (mark === 'selected' ? 3 : 4)) - 1) : 0;
    const extent = mark ? grow(r, gap + lineWidth) : r;
    if (!intersects(extent, screen)) continue;
    items.push({
      id: n.id,
      box: r,
      stripe: { x: r.x, y: r.y, w: Math.min(stripeWidth, r.w), h: r.h },
      ring: mark ? ring(r, gap, lineWidth) : [],
      mark,
      extent,
      status: statusOf(n.id),
    });
  }
  return { width, height, items };
}

/**
 * Paints `which` items of the scene (every one, after clearing the canvas, if omitted):
 * the boxes by status, then their stripes, then the outlines, one fill per colour.
 */
export function paintScene(raster: Raster, scene: Scene, palette: Palette, which?: readonly number[]): void {
  const items = which ? which.map((i) => scene.items[i]) : scene.items;
  if (which) for (const it of items) raster.clear(it.extent);
  else raster.clear({ x: 0, y: 0, w: scene.width, h: scene.height });
  const fills = new Map<string, PixelRect[]>();
  const stripes = new Map<string, PixelRect[]>();
  const flagged: PixelRect[] = [];
  const selected: PixelRect[] = [];
  const focused: PixelRect[] = [];
  for (const it of items) {
    push(fills, it.status, it.box);
    push(stripes, it.status, it.stripe);
    if (it.mark === 'selected') selected.push(...it.ring);
    else if (it.mark === 'flagged') flagged.push(...it.ring);
    else if (it.mark === 'focused') focused.push(...it.ring);
  }
  for (const [status, rects] of fills) raster.fill(palette.fill(status), rects);
  for (const [status, rects] of stripes) raster.fill(palette.stripe(status), rects);
  if (flagged.length) raster.fill(palette.danger, flagged);
  if (selected.length) raster.fill(palette.accent, selected);
  if (focused.length) raster.fill(palette.focus, focused);
}

function push<T>(map: Map<string, T[]>, key: string, value: T) {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/**
 * The items whose status changed since they were painted (their `status` updated to the
 * new one), to repaint alone; or null when a full repaint is needed instead: a changed
 * node touches another one, or so many changed that one full repaint is cheaper.
 */
export function changedItems(scene: Scene, statusOf: (id: string) => string): number[] | null {
  const dirty: number[] = [];
  for (let i = 0; i < scene.items.length; i++) if (statusOf(scene.items[i].id) !== scene.items[i].status) dirty.push(i);
  if (dirty.length > scene.items.length / 2) return null;
  const isolated = (scene.isolated ??= isolation(scene.items));
  for (const i of dirty) if (!isolated[i]) return null;
  for (const i of dirty) scene.items[i].status = statusOf(scene.items[i].id);
  return dirty;
}

/** Which items' extents touch no other item's, found through a grid of 64-pixel cells. */
export function isolation(items: readonly SceneItem[]): Uint8Array {
  const CELL = 64;
  const cells = new Map<string, number[]>();
  const cellsOf = (r: PixelRect) => {
    const keys: string[] = [];
    for (let cx = Math.floor(r.x / CELL); cx <= Math.floor((r.x + r.w - 1) / CELL); cx++) for (let cy = Math.floor(r.y / CELL); cy <= Math.floor((r.y + r.h - 1) / CELL); cy++) keys.push(`${cx},${cy}`);
    return keys;
  };
  items.forEach((it, i) => {
    for (const key of cellsOf(it.extent)) push(cells, key, i);
  });
  const out = new Uint8Array(items.length).fill(1);
  items.forEach((it, i) => {
    for (const key of cellsOf(it.extent)) {
      for (const j of cells.get(key)!) {
        if (j !== i && intersects(it.extent, items[j].extent)) out[i] = 0;
      }
    }
  });
  return out;
}

export type Direction = 'left' | 'right' | 'up' | 'down';

/**
 * The node an arrow key moves the focus to from `from`: the nearest whose centre lies that
 * way, a step straight ahead counting less than one off to the side (in a grid, Right is
 * the next column's node on the same row). Undefined at the graph's edge.
 */
export function neighbour<B extends { id: string; x: number; y: number; width: number; height: number }>(boxes: readonly B[], from: B, dir: Direction): B | undefined {
  const cx = from.x + from.width / 2;
  const cy = from.y + from.height / 2;
  let best: B | undefined;
  let bestScore = Infinity;
  for (const b of boxes) {
    if (b === from) continue;
    const dx = b.x + b.width / 2 - cx;
    const dy = b.y + b.height / 2 - cy;
    const ahead = dir === 'right' ? dx : dir === 'left' ? -dx : dir === 'down' ? dy : -dy;
    if (ahead <= 0) continue;
    const score = ahead + 2 * Math.abs(dir === 'left' || dir === 'right' ? dy : dx);
    if (score < bestScore) {
      best = b;
      bestScore = score;
    }
  }
  return best;
}
