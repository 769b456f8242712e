/**
 * Engine benchmarks, persistence on (a real createEngine over a temp data folder):
 * - 10,000-node chain and 10,000-node wide DAG of no-op nodes: nodes/s, and the ratio
 *   of the engine's wall time to inserting the same event rows straight into
 *   better-sqlite3 in transactions of the same size on the same disk (the storage floor);
 * - 200 nodes that each wait 50 ms at concurrency 50: parallel efficiency (ideal / actual);
 * - peak RSS of a 10,000-node run, measured in a child process.
 * Steady state is the median of 3 rounds (AWE_BENCH_ROUNDS), the floor taken after each round.
 * Targets: ≥ 10,000 nodes/s, within 2.5× of the floor (issue 11; printed, never asserted), efficiency ≥ 0.95, RSS < 300 MB.
 *   npx tsx bench/engine.ts
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { Workflow, type EngineEvent } from '../src/contract';
import { createEngine } from '../src/engine/engine';
import type { ToolSpec } from '../src/engine/tools/types';

const NODES = 10_000;

/** Bench-only: does nothing, so the figures are the engine's and the store's own cost. */
const noop: ToolSpec = {
  name: 'bench.noop',
  title: 'No-op',
  description: 'Returns an empty object (benchmarks only).',
  version: '1',
  input: z.object({}).loose(),
  output: z.object({}).loose(),
  effects: 'pure',
  // In-process and pure like a built-in (any other source is judged as an MCP server by the policy gate).
  source: 'builtin',
  run: async () => ({}),
};

function chainWorkflow(n: number): Workflow {
  return Workflow.parse({
    id: 'bench-chain',
    name: `Bench: chain of ${n}`,
    nodes: Array.from({ length: n }, (_, i) => ({ id: `n${i}`, kind: 'tool', tool: 'bench.noop', inputs: {} })),
    edges: Array.from({ length: n - 1 }, (_, i) => ({ id: `e${i}`, source: `n${i}`, target: `n${i + 1}` })),
  });
}

function wideWorkflow(n: number, tool = 'bench.noop', inputs: Record<string, unknown> = {}, concurrency = 256): Workflow {
  return Workflow.parse({
    id: 'bench-wide',
    name: `Bench: ${n} independent nodes`,
    settings: { concurrency },
    nodes: Array.from({ length: n }, (_, i) => ({ id: `n${i}`, kind: 'tool', tool, inputs })),
  });
}

export interface EngineRunFigures {
  shape: string;
  nodes: number;
  seconds: number;
  nodesPerSecond: number;
  events: number;
  batches: number;
  floorSeconds: number;
  ratioToFloor: number;
  /** Lowest and highest of the rounds, when there were several. */
  spread?: { seconds: [number, number]; floor: [number, number] };
}

async function timedRun(workflow: Workflow, globalConcurrency: number) {
  const dataDir = mkdtempSync(join(tmpdir(), 'awe-bench-engine-'));
  const engine = createEngine({ dataDir, extraTools: [noop], globalConcurrency });
  let batches = 0;
  engine.subscribe(() => batches++);
  const start = performance.now();
  const view = await engine.startRun(workflow).done;
  const seconds = (performance.now() - start) / 1000;
  if (view.status !== 'succeeded') throw new Error(`bench run ${view.status}: ${view.error ?? ''}`);
  const events = engine.events(view.runId);
  await engine.close();
  return { dataDir, seconds, events, batches };
}

/** The same rows, written straight into an events table in transactions of the engine's average batch size. */
function storageFloor(events: EngineEvent[], batches: number, dir: string): number {
  const db = new Database(join(dir, 'floor.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE events (run_id TEXT NOT NULL, seq INTEGER NOT NULL, type TEXT NOT NULL, ts INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (run_id, seq)) WITHOUT ROWID');
  const insert = db.prepare('INSERT INTO events (run_id, seq, type, ts, json) VALUES (?, ?, ?, ?, ?)');
  const write = db.transaction((rows: EngineEvent[]) => {
    for (const e of rows) insert.run(e.runId, e.seq, e.type, e.ts, JSON.stringify(e));
  });
  const size = Math.max(1, Math.round(events.length / Math.max(1, batches)));
  const start = performance.now();
  for (let i = 0; i < events.length; i += size) write(events.slice(i, i + size));
  const seconds = (performance.now() - start) / 1000;
  db.close();
  return seconds;
}

/** How many times the steady-state figures are taken: the median is printed, the spread beside it. */
const ROUNDS = Number(process.env.AWE_BENCH_ROUNDS ?? 3);

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * `rounds` runs of `workflow`, each followed by its storage floor on the same disk: the
 * engine's and the floor's medians and their ratio (both swing with the machine's load and
 * its disk cache; one pair alone can be off by a third).
 */
async function benchShape(shape: string, workflow: Workflow, globalConcurrency: number, rounds = 1): Promise<EngineRunFigures> {
  const seconds: number[] = [];
  const floors: number[] = [];
  let events = 0;
  let batches = 0;
  for (let i = 0; i < rounds; i++) {
    const run = await timedRun(workflow, globalConcurrency);
    floors.push(storageFloor(run.events, run.batches, run.dataDir));
    rmSync(run.dataDir, { recursive: true, force: true });
    seconds.push(run.seconds);
    events = run.events.length;
    batches = run.batches;
  }
  const [engine, floor] = [median(seconds), median(floors)];
  return {
    shape,
    nodes: workflow.nodes.length,
    seconds: engine,
    nodesPerSecond: workflow.nodes.length / engine,
    events,
    batches,
    floorSeconds: floor,
    ratioToFloor: engine / floor,
    ...(rounds > 1 ? { spread: { seconds: [Math.min(...seconds), Math.max(...seconds)], floor: [Math.min(...floors), Math.max(...floors)] } } : {}),
  };
}

/**
 * Where the 200 × 50 ms run loses time against the ideal 0.200 s (measured on the
 * 2-core shared machine at load < 1, typically 0.210–0.218 s; plain Node timers alone,
 * 50 chains of four 50 ms waits with no engine, take 0.202–0.204 s here):
 * - startRun validates the workflow (about 1 ms for 200 nodes), stores the run with its
 *   lease and records run.started and 200 `queued` events before the first wave's 50
 *   nodes start (about 3 ms in all, the first timer set about 2.5 ms after the call);
 * - each of the 4 waves: Node timers have 1 ms granularity and the event log's flush of
 *   the previous completions runs between timer batches, so a wave's last node starts
 *   its wait 0.5–2 ms late (its CPU: about 25 µs from a timer firing to the next node's
 *   timer being set);
 * - `run.finished` is committed with synchronous = FULL before `done` resolves, by design
 *   (a finished run survives a power loss): that fsync also flushes what the run wrote
 *   with NORMAL, 1.3–1.9 ms.
 */
async function parallelEfficiency(): Promise<{ seconds: number; ideal: number; efficiency: number }> {
  const workflow = wideWorkflow(200, 'util.wait', { ms: 50 }, 50);
  const run = await timedRun(workflow, 64);
  rmSync(run.dataDir, { recursive: true, force: true });
  const ideal = (200 / 50) * 0.05;
  return { seconds: run.seconds, ideal, efficiency: ideal / run.seconds };
}

/** Peak RSS (MB) of a process that runs a 10,000-node chain, read from its own resourceUsage. */
function peakRssMb(): number {
  const out = execFileSync(process.execPath, ['--import', 'tsx', import.meta.filename, '--rss-child'], { encoding: 'utf8', cwd: resolve(import.meta.dirname, '..') });
  const kb = Number(/maxRSS=(\d+)/.exec(out)?.[1]);
  return kb / 1024;
}

const verdict = (ok: boolean) => (ok ? 'meets target' : 'MISSES target');

/** The engine's wall time over the storage floor it should stay within (issue 11). */
const FLOOR_RATIO_TARGET = 2.5;

function printShape(f: EngineRunFigures): void {
  console.log(
    `  ${f.shape.padEnd(9)} ${f.seconds.toFixed(2)} s, ${Math.round(f.nodesPerSecond).toLocaleString('en')} nodes/s (target ≥ 10,000: ${verdict(f.nodesPerSecond >= 10_000)}); ` +
      `${f.events.toLocaleString('en')} events in ${f.batches.toLocaleString('en')} transactions; storage floor ${f.floorSeconds.toFixed(2)} s, ` +
      `ratio ${f.ratioToFloor.toFixed(2)}× (target ≤ ${FLOOR_RATIO_TARGET}×: ${verdict(f.ratioToFloor <= FLOOR_RATIO_TARGET)})`,
  );
  if (f.spread) {
    const range = ([lo, hi]: [number, number]) => `${lo.toFixed(2)}–${hi.toFixed(2)} s`;
    console.log(`            (medians of ${ROUNDS} rounds; engine ${range(f.spread.seconds)}, floor ${range(f.spread.floor)})`);
  }
}

export async function benchEngine(): Promise<void> {
  console.log(`\nEngine, persistence on (${NODES.toLocaleString('en')} no-op nodes)`);
  // The first run in a fresh process also pays for compiling the engine's code (JIT),
  // which a long-lived app pays once: it is printed on its own, the targets are judged
  // on the runs after it (steady state). The floor is measured the same way every time.
  const cold = await benchShape('chain', chainWorkflow(NODES), 16);
  console.log(`  first run in this process (JIT warm-up included):`);
  printShape(cold);
  console.log(`  steady state (median of ${ROUNDS} rounds, AWE_BENCH_ROUNDS to change):`);
  for (const [shape, wf, conc] of [
    ['chain', chainWorkflow(NODES), 16],
    ['wide DAG', wideWorkflow(NODES), 256],
  ] as const) {
    printShape(await benchShape(shape, wf, conc, ROUNDS));
  }
  const p = await parallelEfficiency();
  console.log(`  200 × wait 50 ms at concurrency 50: ${p.seconds.toFixed(3)} s vs ideal ${p.ideal.toFixed(3)} s, efficiency ${p.efficiency.toFixed(3)} (target ≥ 0.95: ${verdict(p.efficiency >= 0.95)})`);
  const rss = peakRssMb();
  console.log(`  peak RSS of a ${NODES.toLocaleString('en')}-node run: ${rss.toFixed(0)} MB (target < 300: ${verdict(rss < 300)})`);
}

async function rssChild(): Promise<void> {
  const run = await timedRun(chainWorkflow(NODES), 16);
  rmSync(run.dataDir, { recursive: true, force: true });
  process.stdout.write(`maxRSS=${process.resourceUsage().maxRSS}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  (process.argv.includes('--rss-child') ? rssChild() : benchEngine()).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
