/**
 * Importing a large run bundle while the process keeps serving (`awe serve`'s loop): a real
 * run's bundle of ~50 MB (incompressible artifacts plus tens of thousands of logged events),
 * imported while a 5 ms timer keeps asking to run. Prints the import's wall time and the
 * longest stall of the event loop during it (perf_hooks.monitorEventLoopDelay), and how late
 * the timer came at worst. Figures only, never asserted.
 *   npx tsx bench/import.ts
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { z } from 'zod';
import { Workflow } from '../src/contract';
import { createEngine } from '../src/engine/engine';
import type { ToolSpec } from '../src/engine/tools/types';

/** The bench's bundle: ~50 MB zipped. */
const BIG = { artifacts: 10, artifactBytes: 5 * 1024 * 1024, logs: 40_000 };
export type BundleShape = typeof BIG;

/** One node that saves incompressible files and logs a lot: a bundle big in both ways. */
const bulky = (shape: BundleShape): ToolSpec => ({
  name: 'bench.bulky', title: 'Bulky', description: 'benchmarks only', version: '1', effects: 'write', source: 'builtin',
  input: z.object({}).loose(), output: z.object({ saved: z.number() }),
  async run(_input, ctx) {
    for (let i = 0; i < shape.logs; i++) ctx.log('info', `step ${i} of the bulky tool, with some text to make the line a realistic length`, { i });
    for (let i = 0; i < shape.artifacts; i++) await ctx.artifacts.save(`part-${i}.bin`, randomBytes(shape.artifactBytes), 'application/octet-stream');
    return { saved: shape.artifacts };
  },
});

/** Exports one bulky run's bundle from an engine of its own (in `dir`/source). */
export async function bigBundle(dir: string, shape: BundleShape = BIG): Promise<Uint8Array> {
  const source = createEngine({ dataDir: join(dir, 'source'), extraTools: [bulky(shape)], allow: ['bench.bulky'] });
  try {
    const workflow = Workflow.parse({ id: 'bulky', name: 'Bulky', nodes: [{ id: 'bulk', kind: 'tool', tool: 'bench.bulky', inputs: {} }], edges: [] });
    const view = await source.startRun(source.validate(workflow).workflow!).done;
    if (view.status !== 'succeeded') throw new Error(`the bulky run ${view.status}`);
    return await source.exportRunBundle(view.runId);
  } finally {
    await source.close();
  }
}

export async function benchImport(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'awe-bench-import-'));
  try {
    const bundle = await bigBundle(dir);
    const rounds: { ms: number; stallMs: number; lateMs: number }[] = [];
    for (let round = 0; round < 3; round++) {
      const here = createEngine({ dataDir: join(dir, `here-${round}`) });
      const delay = monitorEventLoopDelay({ resolution: 5 });
      let last = performance.now();
      let lateMs = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        lateMs = Math.max(lateMs, now - last - 5);
        last = now;
      }, 5);
      delay.enable();
      // The histogram's first sample only sets its clock: let it take one before the import.
      await new Promise((r) => setTimeout(r, 20));
      last = performance.now();
      const started = performance.now();
      await here.importRunBundle(bundle);
      const ms = performance.now() - started;
      // The timer's first turn after the import is the one that shows how long it waited.
      await new Promise((r) => setTimeout(r, 20));
      delay.disable();
      clearInterval(timer);
      rounds.push({ ms, stallMs: delay.max / 1e6, lateMs });
      await here.close();
    }
    const best = rounds.reduce((a, b) => (a.ms <= b.ms ? a : b));
    console.log(`\nRun bundle import (${(bundle.byteLength / 1024 / 1024).toFixed(1)} MB zip: ${BIG.artifacts} × ${BIG.artifactBytes / 1024 / 1024} MB artifacts, ${BIG.logs} logged events; best of ${rounds.length})`);
    for (const r of rounds) console.log(`  import ${r.ms.toFixed(0).padStart(6)} ms   longest loop stall ${r.stallMs.toFixed(0).padStart(5)} ms   5 ms timer late by ${r.lateMs.toFixed(0)} ms at worst`);
    console.log(`  best: ${best.ms.toFixed(0)} ms, stall ${best.stallMs.toFixed(0)} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.filename === process.argv[1]) await benchImport();
