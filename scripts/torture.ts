/**
 * `npm run torture`: the crash suite (issue 10). The real `awe` CLI on a temporary data
 * folder is SIGKILLed mid-run again and again, and after every kill `awe resume RUN` is
 * started at once (it waits for the dead owner's lease to lapse). At the end every run
 * is resumed to completion and its event log is audited. Loopback only: no network.
 *
 * Prints: kills, succeeded nodes lost, nodes re-run after a recorded success, runs
 * unresumable, conflicts seen. Exits 1 unless all are zero.
 *
 * Knobs (environment):
 *   TORTURE_RUNS=10          runs
 *   TORTURE_KILLS=10         kills per run (at least; more runs are added while kills < RUNS × KILLS)
 *   TORTURE_PARALLEL=2       runs tortured at once (they share the data folder, as real processes would)
 *   TORTURE_NODES=60         nodes per workflow (layers of TORTURE_WIDTH)
 *   TORTURE_WIDTH=2
 *   TORTURE_NODE_MS=150      each node is util.wait of this long
 *   TORTURE_MAX_KILL_MS=400  a kill lands 0..this after the process started executing
 *   TORTURE_LEASE_MS=1000    the run lease of the children (AWE_LEASE_MS)
 *   TORTURE_BUDGET_S=540     stop starting new kills after this long
 *   TORTURE_KEEP=1           keep the data folder (its path is printed)
 *
 * The CLI is the compiled one a person runs (bin/awe.mjs → dist/cli, built first when a source
 * changed), on the pinned Node: there bin/awe.mjs runs the command in its own process, so each
 * SIGKILL lands on the process executing the run, not on a relay in front of it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { buildCli, cliIsCurrent } from './build-cli.mjs';

const env = (name: string, fallback: number) => {
  const n = Number(process.env[name]);
  return process.env[name] && Number.isFinite(n) && n >= 0 ? n : fallback;
};
const RUNS = env('TORTURE_RUNS', 10);
const KILLS = env('TORTURE_KILLS', 10);
const PARALLEL = Math.max(1, env('TORTURE_PARALLEL', 2));
const NODES = env('TORTURE_NODES', 60);
const WIDTH = Math.max(1, env('TORTURE_WIDTH', 2));
const NODE_MS = env('TORTURE_NODE_MS', 150);
const MAX_KILL_MS = env('TORTURE_MAX_KILL_MS', 400);
const LEASE_MS = env('TORTURE_LEASE_MS', 1000);
const BUDGET_MS = env('TORTURE_BUDGET_S', 540) * 1000;

const ROOT = resolve(import.meta.dirname, '..');
const PINNED_NODE = join(ROOT, 'node_modules/node/bin/node');
const NODE = existsSync(PINNED_NODE) ? PINNED_NODE : process.execPath;
const AWE = join(ROOT, 'bin/awe.mjs');
const dir = mkdtempSync(join(tmpdir(), 'awe-torture-'));
const dataDir = join(dir, 'data');
const started = Date.now();

/** Layers of WIDTH util.wait nodes, each layer depending on the whole previous one. */
function workflow() {
  const nodes = Array.from({ length: NODES }, (_, i) => ({ id: `n${i}`, kind: 'tool', tool: 'util.wait', inputs: { ms: NODE_MS } }));
  const edges = [];
  for (let i = WIDTH; i < NODES; i++) {
    const layer = Math.floor(i / WIDTH);
    for (let j = (layer - 1) * WIDTH; j < layer * WIDTH; j++) edges.push({ id: `e${j}_${i}`, source: `n${j}`, target: `n${i}` });
  }
  return { id: 'torture', name: 'Torture', version: 1, nodes, edges };
}

interface Child {
  child: ChildProcess;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function awe(args: string[]): Child {
  const child = spawn(NODE, [AWE, ...args, '--data-dir', dataDir], {
    cwd: ROOT,
    env: { ...process.env, AWE_LEASE_MS: String(LEASE_MS), AWE_MCP_CONFIG: '', OPENAI_API_KEY: '', OPENAI_BASE_URL: '', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((res) => child.on('close', (code, signal) => res({ code, signal })));
  return { child, output: () => out, exited };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with the match once `pattern` shows in the output, or undefined if the process ended first. */
async function waitFor(c: Child, pattern: RegExp): Promise<RegExpExecArray | undefined> {
  let done = false;
  void c.exited.then(() => (done = true));
  for (;;) {
    const m = pattern.exec(c.output());
    if (m) return m;
    if (done) return undefined;
    await sleep(10);
  }
}

const stats = { kills: 0, lost: 0, rerunAfterSuccess: 0, unresumable: 0, conflicts: 0, resumes: 0 };
const CONFLICT = /being executed by another AWE process|was just taken over/;

/** Successes recorded in the log (node:generation), read after each kill. */
function recordedSuccesses(runId: string): Set<string> {
  const db = new Database(join(dataDir, 'awe.db'), { readonly: true, fileMustExist: true });
  try {
    const rows = db.prepare(`SELECT json FROM events WHERE run_id = ? AND type = 'node.status' ORDER BY seq`).all(runId) as { json: string }[];
    const ok = new Set<string>();
    for (const { json } of rows) {
      const e = JSON.parse(json) as { nodeId: string; status: string; generation: number };
      if (e.status === 'succeeded') ok.add(`${e.nodeId}:${e.generation}`);
    }
    return ok;
  } finally {
    db.close();
  }
}

/** Final audit of one run's log: successes lost, and executions started after a recorded success. */
function audit(runId: string, everRecorded: Set<string>): { lost: number; rerun: number; status: string } {
  const db = new Database(join(dataDir, 'awe.db'), { readonly: true, fileMustExist: true });
  try {
    const status = (db.prepare('SELECT status FROM runs WHERE id = ?').get(runId) as { status: string }).status;
    const rows = db.prepare(`SELECT json FROM events WHERE run_id = ? AND type = 'node.status' ORDER BY seq`).all(runId) as { json: string }[];
    const succeeded = new Set<string>();
    const final = new Map<string, string>();
    let rerun = 0;
    for (const { json } of rows) {
      const e = JSON.parse(json) as { nodeId: string; status: string; generation: number };
      const key = `${e.nodeId}:${e.generation}`;
      if (e.status === 'running' && succeeded.has(key)) rerun += 1;
      if (e.status === 'succeeded') succeeded.add(key);
      final.set(e.nodeId, e.status);
    }
    let lost = 0;
    for (const key of everRecorded) if (!succeeded.has(key) || final.get(key.split(':')[0]) !== 'succeeded') lost += 1;
    return { lost, rerun, status };
  } finally {
    db.close();
  }
}

/** One run: start, then kill → immediate resume → kill … KILLS times; then a resume left to finish. */
async function tortureRun(file: string, index: number, kills: number): Promise<void> {
  const first = awe(['run', file]);
  const m = await waitFor(first, /run (\S+) of torture started/);
  if (!m) {
    process.stderr.write(`run #${index} did not start:\n${first.output()}\n`);
    stats.unresumable += 1;
    return;
  }
  const runId = m[1];
  const everRecorded = new Set<string>();
  let current: Child = first;
  let executing: Promise<unknown> = Promise.resolve(m);
  let finished = false;
  for (let k = 0; k < kills && Date.now() - started < BUDGET_MS; k++) {
    if (!(await executing)) break; // the process ended on its own (the run finished)
    await sleep(Math.random() * MAX_KILL_MS);
    if (current.child.exitCode !== null || current.child.signalCode !== null) {
      finished = true;
      break;
    }
    current.child.kill('SIGKILL');
    stats.kills += 1;
    for (const key of recordedSuccesses(runId)) everRecorded.add(key);
    // Immediately, without waiting for the killed process to be reaped.
    const next = awe(['resume', runId]);
    stats.resumes += 1;
    void next.exited.then(() => {
      if (CONFLICT.test(next.output())) stats.conflicts += 1;
    });
    await current.exited;
    current = next;
    // Killing before it executes anything would test only start-up: wait until it resumed.
    executing = waitFor(next, /resuming run|nothing to resume/);
  }
  if (!finished) {
    const end = await current.exited;
    if (end.code !== 0) {
      // The last process failed (e.g. it lost a race): one more plain resume must finish the run.
      const last = awe(['resume', runId]);
      stats.resumes += 1;
      const r = await last.exited;
      if (CONFLICT.test(last.output())) stats.conflicts += 1;
      if (r.code !== 0) process.stderr.write(`final resume of ${runId} exited ${r.code}:\n${last.output().slice(-2000)}\n`);
    }
  }
  const result = audit(runId, everRecorded);
  stats.lost += result.lost;
  stats.rerunAfterSuccess += result.rerun;
  if (result.status !== 'succeeded') {
    stats.unresumable += 1;
    process.stderr.write(`run ${runId} ended ${result.status}\n`);
  }
  process.stderr.write(`run #${index} ${runId}: ${result.status}, kills so far ${stats.kills}, ${Math.round((Date.now() - started) / 1000)} s\n`);
}

async function main(): Promise<number> {
  if (!cliIsCurrent()) {
    process.stderr.write('torture: building the awe command (scripts/build-cli.mjs)\n');
    await buildCli({ quiet: true });
  }
  const file = join(dir, 'torture.awe.json');
  writeFileSync(file, JSON.stringify(workflow(), null, 2));
  process.stderr.write(
    `torture: ${RUNS} runs × ${KILLS} kills, ${PARALLEL} at once, ${NODES} nodes of ${NODE_MS} ms, lease ${LEASE_MS} ms, data ${dataDir}\n`,
  );
  let next = 0;
  const target = RUNS * KILLS;
  // Runs are added while the kill target is not met (a run may finish before all its kills), up to 3× RUNS.
  const worker = async () => {
    while (next < RUNS || (stats.kills < target && next < RUNS * 3 && Date.now() - started < BUDGET_MS)) {
      const index = next++;
      await tortureRun(file, index, KILLS);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  const runs = next;
  const seconds = ((Date.now() - started) / 1000).toFixed(0);
  process.stdout.write(
    [
      `runs: ${runs} (${seconds} s, ${stats.resumes} resumes)`,
      `kills: ${stats.kills}`,
      `succeeded nodes lost: ${stats.lost}`,
      `nodes re-run after a recorded success: ${stats.rerunAfterSuccess}`,
      `runs unresumable: ${stats.unresumable}`,
      `conflicts seen: ${stats.conflicts}`,
    ].join('\n') + '\n',
  );
  if (process.env.TORTURE_KEEP) process.stdout.write(`data folder kept: ${dataDir}\n`);
  else rmSync(dir, { recursive: true, force: true });
  return stats.lost + stats.rerunAfterSuccess + stats.unresumable + stats.conflicts === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`torture failed: ${(err as Error).stack ?? String(err)}\n`);
    process.exit(2);
  },
);
