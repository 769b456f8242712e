import { describe, expect, test } from 'vitest';
import type { WorkflowNode } from '../../contract';
import { buildScene, changedItems, neighbour, paintScene, snap, type Mark, type Palette, type PixelRect, type Raster, type Scene, type View } from './overview-scene';

/** A raster that keeps every pixel's colour, as a canvas without anti-aliasing does for whole-pixel rectangles. */
class Pixels implements Raster {
  readonly px: string[];
  constructor(
    readonly width: number,
    readonly height: number,
  ) {
    this.px = new Array<string>(width * height).fill('');
  }
  private each(r: PixelRect, f: (i: number) => void) {
    expect(Number.isInteger(r.x) && Number.isInteger(r.y) && Number.isInteger(r.w) && Number.isInteger(r.h), `whole pixels: ${JSON.stringify(r)}`).toBe(true);
    for (let y = Math.max(0, r.y); y < Math.min(this.height, r.y + r.h); y++) for (let x = Math.max(0, r.x); x < Math.min(this.width, r.x + r.w); x++) f(y * this.width + x);
  }
  clear(r: PixelRect) {
    this.each(r, (i) => (this.px[i] = ''));
  }
  fill(color: string, rects: readonly PixelRect[]) {
    for (const r of rects) this.each(r, (i) => (this.px[i] = color));
  }
  at(x: number, y: number) {
    return this.px[y * this.width + x];
  }
}

const palette: Palette = { fill: (s) => `fill:${s}`, stripe: (s) => `stripe:${s}`, accent: 'accent', danger: 'danger', focus: 'focus' };

/** A grid of nodes like a generated pipeline: columns 280 apart, rows 110 apart, 210 × 64 boxes. */
function grid(cols: number, rows: number): WorkflowNode[] {
  const nodes: WorkflowNode[] = [];
  for (let c = 0; c < cols; c++) for (let r = 0; r < rows; r++) nodes.push({ id: `n${c}_${r}`, kind: 'tool', tool: 'text.template', inputs: {}, position: { x: c * 280, y: r * 110 } } as WorkflowNode);
  return nodes;
}

const box = (n: WorkflowNode) => ({ x: n.position!.x, y: n.position!.y, width: 210, height: 64 });

describe('overview scene', () => {
  // A fractional transform and device pixel ratio: every edge falls between pixels before snapping.
  const view: View = { transform: [13.37, 7.71, 0.1234], width: 420, height: 300, dpr: 1.5 };

  test('boxes snap to whole device pixels, at least one pixel wide', () => {
    expect(snap({ x: 10, y: 10, width: 210, height: 64 }, view)).toEqual({ x: 22, y: 13, w: 39, h: 12 });
    expect(snap({ x: 0, y: 0, width: 0.1, height: 0.1 }, view)).toMatchObject({ w: 1, h: 1 });
  });

  test('repainting the boxes whose status changed gives exactly the pixels of a full repaint', () => {
    const nodes = grid(12, 20);
    const status = new Map<string, string>();
    const statusOf = (id: string) => status.get(id) ?? '';
    const marks = new Map<string, Mark>([
      ['n3_4', 'selected'],
      ['n5_9', 'flagged'],
    ]);
    const markOf = (id: string) => marks.get(id) ?? '';
    const canvas = new Pixels(Math.round(view.width * view.dpr), Math.round(view.height * view.dpr));
    const scene = buildScene(nodes, box, view, statusOf, markOf);
    paintScene(canvas, scene, palette);

    // Batches of changes as a run streams them, each repainted alone.
    const batches = [
      ['n0_0', 'n0_1', 'n3_4', 'n5_9', 'n5_10'].map((id) => [id, 'running'] as const),
      ['n0_0', 'n3_4', 'n3_5', 'n5_8'].map((id) => [id, 'succeeded'] as const),
      [['n0_1', 'failed'] as const, ['n5_9', 'succeeded'] as const, ['n11_19', 'queued'] as const],
    ];
    for (const batch of batches) {
      for (const [id, s] of batch) status.set(id, s);
      const changed = changedItems(scene, statusOf);
      expect(changed?.map((i) => scene.items[i].id).sort()).toEqual(batch.map(([id]) => id).filter((id) => scene.items.some((it) => it.id === id)).sort());
      paintScene(canvas, scene, palette, changed!);

      const full = new Pixels(canvas.width, canvas.height);
      paintScene(full, buildScene(nodes, box, view, statusOf, markOf), palette);
      expect(canvas.px).toEqual(full.px);
    }
    // Nothing changed: nothing to repaint.
    expect(changedItems(scene, statusOf)).toEqual([]);
    // The changed box shows its new colour (a pixel inside it, right of its stripe).
    const it = scene.items.find((i) => i.id === 'n0_1')!;
    expect(canvas.at(it.box.x + it.box.w - 2, it.box.y + 1)).toBe('fill:failed');
  });

  test('a changed node that touches another one, or a change of most nodes, asks for a full repaint', () => {
    const nodes = grid(4, 4);
    // n9 sits on top of n0_0.
    nodes.push({ id: 'n9', kind: 'tool', tool: 'text.template', inputs: {}, position: { x: 100, y: 20 } } as WorkflowNode);
    const status = new Map<string, string>();
    const statusOf = (id: string) => status.get(id) ?? '';
    const scene: Scene = buildScene(nodes, box, view, statusOf, () => '');
    status.set('n1_1', 'running');
    expect(changedItems(scene, statusOf)).toHaveLength(1);
    status.set('n9', 'running');
    expect(changedItems(scene, statusOf)).toBeNull();

    const fresh = buildScene(grid(4, 4), box, view, statusOf, () => '');
    for (const n of grid(4, 4).slice(0, 9)) status.set(n.id, 'queued');
    expect(changedItems(fresh, statusOf)).toBeNull();
  });

  test('nodes off screen are left out', () => {
    const scene = buildScene(grid(40, 40), box, view, () => '', () => '');
    expect(scene.items.length).toBeGreaterThan(0);
    expect(scene.items.length).toBeLessThan(40 * 40);
    for (const it of scene.items) expect(it.extent.x < scene.width && it.extent.x + it.extent.w > 0 && it.extent.y < scene.height && it.extent.y + it.extent.h > 0).toBe(true);
  });
});

describe('arrow keys in the overview', () => {
  const boxes = grid(5, 4).map((n) => ({ id: n.id, ...box(n) }));
  const from = (id: string) => boxes.find((b) => b.id === id)!;

  test('move to the next node that way: the next column on the same row, the next row in the same column', () => {
    expect(neighbour(boxes, from('n2_1'), 'right')?.id).toBe('n3_1');
    expect(neighbour(boxes, from('n2_1'), 'left')?.id).toBe('n1_1');
    expect(neighbour(boxes, from('n2_1'), 'down')?.id).toBe('n2_2');
    expect(neighbour(boxes, from('n2_1'), 'up')?.id).toBe('n2_0');
  });

  test('stop at the edge of the graph, and reach a node off the grid on that side', () => {
    expect(neighbour(boxes, from('n4_1'), 'right')).toBeUndefined();
    expect(neighbour(boxes, from('n0_0'), 'up')).toBeUndefined();
    const lone = { id: 'lone', x: 5 * 280, y: 3 * 110 + 40, width: 210, height: 64 };
    expect(neighbour([...boxes, lone], from('n4_1'), 'right')?.id).toBe('lone');
  });
});
