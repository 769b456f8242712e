/**
 * Validation of large documents (issue 10 item 6): nodes referencing distant ancestors
 * used to make the ancestry check quadratic. Prints figures; nothing is asserted.
 */
import { validateWorkflow } from '../src/engine/workflow/validate';
import { builtinTools } from '../src/engine/tools/builtins';

type Doc = { id: string; name: string; nodes: unknown[]; edges: unknown[] };
const text = (id: string, template: string) => ({ id, kind: 'tool', tool: 'text.template', inputs: { template } });

/** A chain where node i reads node i - n/2 (and its parent): distant ancestors everywhere. */
export function distantChain(n: number): Doc {
  const nodes = [text('n0', 'start')];
  const edges = [];
  for (let i = 1; i < n; i++) {
    const far = Math.max(0, i - Math.floor(n / 2));
    nodes.push(text(`n${i}`, `{{nodes.n${i - 1}.output.text}} {{nodes.n${far}.output.text}}`));
    edges.push({ id: `e${i}`, source: `n${i - 1}`, target: `n${i}` });
  }
  return { id: 'distant', name: 'distant', nodes, edges };
}

/** Layers of `width` nodes, each joined to two nodes of the layer above (a lattice of diamonds); each reads a node far above. */
export function lattice(n: number, width = 8): Doc {
  const nodes = [];
  const edges = [];
  for (let i = 0; i < n; i++) {
    const layer = Math.floor(i / width);
    const far = layer > 4 ? `n${(layer - Math.floor(layer / 2)) * width + ((i * 7) % width)}` : undefined;
    nodes.push(text(`n${i}`, far ? `{{nodes.${far}.output.text}}` : 'x'));
    if (layer > 0) {
      const up = (layer - 1) * width;
      edges.push({ id: `a${i}`, source: `n${up + (i % width)}`, target: `n${i}` });
      edges.push({ id: `b${i}`, source: `n${up + ((i + 1) % width)}`, target: `n${i}` });
    }
  }
  return { id: 'lattice', name: 'lattice', nodes, edges };
}

const catalog = new Map(builtinTools().map((t) => [t.name, t]));
const tools = { get: (name: string) => catalog.get(name) };

function time(label: string, doc: Doc): void {
  const started = performance.now();
  const result = validateWorkflow(doc, tools);
  const ms = performance.now() - started;
  console.log(`  ${label.padEnd(34)} ${String(Math.round(ms)).padStart(7)} ms   ${result.problems.length} problems`);
}

export async function benchValidate(sizes = (process.env.AWE_BENCH_VALIDATE_SIZES ?? '5000,20000,100000').split(',').map(Number)): Promise<void> {
  console.log('\nvalidation of large documents (ancestry checks)');
  for (const n of sizes) {
    time(`distant-ancestor chain, ${n} nodes`, distantChain(n));
    time(`diamond lattice, ${n} nodes`, lattice(n));
  }
}

// `tsx bench/validate.ts` runs this bench alone.
if (import.meta.url === `file://${process.argv[1]}`) void benchValidate();
