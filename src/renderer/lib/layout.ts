/**
 * Auto layout (left to right) with ELK's layered algorithm. Pure: no DOM, no stores, so the
 * same code runs in the layout Web Worker (`layout.worker.ts`) and in Node tests.
 *
 * ELK was chosen over dagre on measured figures (`npx tsx bench/layout.ts`): at 1,000 and
 * 3,000 nodes it is several times faster with the options below, and it keeps a condition's
 * true branch above its false branch through fixed port order, which dagre cannot express.
 */
import ELK from 'elkjs/lib/elk.bundled.js';
import type { ElkExtendedEdge, ElkNode, ElkPort, LayoutOptions } from 'elkjs/lib/elk-api';
import type { LayoutInput, Positions } from './layout-input';

/** Up to this many nodes, ELK spends its full effort on fewer crossings (it is quick there). */
export const THOROUGH_UP_TO = 300;

/**
 * ELK options by graph size. Spacing matches what dagre drew before (28 px between nodes
 * of a column, 64 px between columns). Above `THOROUGH_UP_TO` nodes, one crossing-
 * minimisation pass and balanced Brandes–Köpf placement keep 3,000 nodes within seconds;
 * edge routes are discarded (React Flow draws its own edges), so cheap polyline routing does.
 */
export function layoutOptions(nodeCount: number): LayoutOptions {
  const large = nodeCount > THOROUGH_UP_TO;
  return {
    'elk.algorithm': 'layered',
    'elk.direction': 'RIGHT',
    'elk.padding': '[top=20,left=20,bottom=20,right=20]',
    'elk.spacing.nodeNode': '28',
    'elk.layered.spacing.nodeNodeBetweenLayers': '64',
    'elk.spacing.componentComponent': '48',
    'elk.edgeRouting': 'POLYLINE',
    'elk.layered.nodePlacement.strategy': 'BRANDES_KOEPF',
    'elk.layered.nodePlacement.bk.fixedAlignment': 'BALANCED',
    'elk.layered.thoroughness': large ? '1' : '7',
    // Where crossings tie, keep the document's order (what the planner or person wrote first stays on top).
    ...(large ? {} : { 'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES' }),
  };
}

const portId = (nodeId: string, side: 'in' | 'true' | 'false' | 'out') => `${nodeId}\u0000${side}`;

/**
 * The ELK graph of a layout input. A condition node gets ports in a fixed order on its
 * right side, true above false, so its branches leave it in that order and ELK arranges
 * the rest around them. Edges to nodes that do not exist are left out (a draft may have them).
 */
export function elkGraph(input: LayoutInput): ElkNode {
  const ids = new Set(input.nodes.map((n) => n.id));
  const conditions = new Set(input.nodes.filter((n) => n.kind === 'condition').map((n) => n.id));
  const children: ElkNode[] = input.nodes.map((n) => {
    if (!conditions.has(n.id)) return { id: n.id, width: n.width, height: n.height };
    const port = (side: 'in' | 'true' | 'false' | 'out', elkSide: 'WEST' | 'EAST', index: number): ElkPort => ({
      id: portId(n.id, side),
      width: 1,
      height: 1,
      layoutOptions: { 'elk.port.side': elkSide, 'elk.port.index': String(index) },
    });
    return {
      id: n.id,
      width: n.width,
      height: n.height,
      layoutOptions: { 'elk.portConstraints': 'FIXED_ORDER' },
      // Port indices run clockwise from the top-left corner: on the east side, a lower index is higher up.
      ports: [port('true', 'EAST', 0), port('false', 'EAST', 1), port('out', 'EAST', 2), port('in', 'WEST', 3)],
    };
  });
  const edges: ElkExtendedEdge[] = [];
  input.edges.forEach((e, i) => {
    if (!ids.has(e.source) || !ids.has(e.target) || e.source === e.target) return;
    const source = conditions.has(e.source) ? portId(e.source, e.branch ?? 'out') : e.source;
    const target = conditions.has(e.target) ? portId(e.target, 'in') : e.target;
    edges.push({ id: `e${i}`, sources: [source], targets: [target] });
  });
  return { id: 'root', layoutOptions: layoutOptions(input.nodes.length), children, edges };
}

/** Top-left positions (React Flow's convention) from a laid-out ELK graph, rounded to whole pixels. */
export function positionsOf(laidOut: ElkNode): Positions {
  const out: Positions = {};
  for (const c of laidOut.children ?? []) out[c.id] = { x: Math.round(c.x ?? 0), y: Math.round(c.y ?? 0) };
  return out;
}

let shared: InstanceType<typeof ELK> | undefined;

/** Lays out the graph; every node of the input gets a position. */
export async function layoutGraph(input: LayoutInput): Promise<Positions> {
  if (!input.nodes.length) return {};
  shared ??= new ELK();
  return positionsOf(await shared.layout(elkGraph(input)));
}

/** A condition with both branches joining again: a tiny graph that takes ELK through its initialisation and its port handling. */
export function warmUpInput(): LayoutInput {
  const node = (id: string, kind = 'tool') => ({ id, kind, width: 210, height: 78 });
  return {
    nodes: [node('test', 'condition'), node('yes'), node('no'), node('join')],
    edges: [
      { source: 'test', target: 'yes', branch: 'true' },
      { source: 'test', target: 'no', branch: 'false' },
      { source: 'yes', target: 'join' },
      { source: 'no', target: 'join' },
    ],
  };
}
