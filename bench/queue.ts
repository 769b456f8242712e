/**
 * Queue mode (issue 12), against a real redis-server child and real `awe worker` processes:
 * - remote per-node overhead of a 200-node chain and a 500-node wide graph vs in-process;
 * - jobs/s through 1 and 2 workers (500 wide, util.wait 0 ms: the queue's own cost);
 * - recovery after a worker SIGKILL: from the kill to another worker taking its job again
 *   (lock 2 s, stalled check 1 s — AWE_QUEUE_LOCK_MS / AWE_QUEUE_STALLED_CHECK_MS).
 * Skipped, with a banner, when redis-server is not installed.
 *   npx tsx bench/queue.ts
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Workflow } from '../src/contract';
import { createEngine } from '../src/engine/engine';
import { QueueExecutor } from '../src/engine/queue/queue-executor';

const ROOT = resolve(import.meta.dirname, '..');
const REDIS = process.env.AWE_REDIS_SERVER || '/usr/bin/redis-server';
/** Recovery is measured with the tests' short lock; throughput with a lock long enough for a loaded machine (64 jobs at once). */
const SHORT_LOCK = { AWE_QUEUE_LOCK_MS: '2000', AWE_QUEUE_STALLED_CHECK_MS: '1000' };
const THROUGHPUT_LOCK = { AWE_QUEUE_LOCK_MS: '15000', AWE_QUEUE_STALLED_CHECK_MS: '5000' };

function chain(n: number): Workflow {
  return Workflow.parse({
    id: 'q-chain',
    name: 'chain',
    nodes: Array.from({ length: n }, (_, i) => ({ id: `n${i}`, kind: 'tool', tool: 'util.wait', inputs: { ms: 0 } })),
    edges: Array.from({ length: n - 1 }, (_, i) => ({ id: `e${i}`, source: `n${i}`, target: `n${i + 1}` })),
  });
}
function wide(n: number, ms = 0): Workflow {
  return Workflow.parse({
    id: 'q-wide',
    name: 'wide',
    settings: { concurrency: 64 },
    nodes: Array.from({ length: n }, (_, i) => ({ id: `n${i}`, kind: 'tool', tool: 'util.wait', inputs: { ms } })),
  });
}

function waitOutput(child: ChildProcess, pattern: RegExp, timeoutMs = 120_000): Promise<string> {
  return new Promise((res, rej) => {
    let out = '';
    const timer = setTimeout(() => rej(new Error(`timed out waiting for ${pattern}: ${out}`)), timeoutMs);
    const on = (d: Buffer) => {
      out += d;
      if (pattern.test(out)) {
        clearTimeout(timer);
        child.stdout!.off('data', on);
        res(out);
      }
    };
    child.stdout!.on('data', on);
  });
}

async function startRedis(dir: string): Promise<{ url: string; child: ChildProcess }> {
  const sock = join(dir, 'redis.sock');
  const child = spawn(REDIS, ['--port', '0', '--unixsocket', sock, '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: ['ignore', 'pipe', 'ignore'] });
  await waitOutput(child, /ready to accept connections/i, 10_000);
  return { url: `unix://${sock}`, child };
}

async function startWorker(url: string, concurrency = 64, lock: Record<string, string> = THROUGHPUT_LOCK): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/index.ts'), 'worker', '--queue', url, '--concurrency', String(concurrency)], {
    cwd: ROOT,
    env: { ...process.env, ...lock },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await waitOutput(child, /taking jobs from queue/);
  return child;
}

async function timed(workflow: Workflow, url?: string): Promise<number> {
  const dataDir = mkdtempSync(join(tmpdir(), 'awe-bench-queue-'));
  const executor = url ? new QueueExecutor({ url, reconcileMs: 1000 }) : undefined;
  const engine = createEngine({ dataDir, globalConcurrency: 64, ...(executor ? { executor } : {}) });
  const start = performance.now();
  const view = await engine.startRun(workflow).done;
  const seconds = (performance.now() - start) / 1000;
  await engine.close();
  rmSync(dataDir, { recursive: true, force: true });
  if (view.status !== 'succeeded') {
    const errors = Object.entries(view.nodes).flatMap(([id, n]) => (n.error ? [`${id}: ${n.error.code} ${n.error.message}`] : []));
    throw new Error(`bench run ${view.status}: ${view.error ?? ''}\n${errors.slice(0, 5).join('\n')}`);
  }
  return seconds;
}

async function recoveryMs(url: string): Promise<number> {
  const [a, b] = await Promise.all([startWorker(url, 1, SHORT_LOCK), startWorker(url, 1, SHORT_LOCK)]);
  const dataDir = mkdtempSync(join(tmpdir(), 'awe-bench-queue-'));
  const engine = createEngine({ dataDir, executor: new QueueExecutor({ url, reconcileMs: 500 }) });
  const outputs = new Map<ChildProcess, string>([[a, ''], [b, '']]);
  for (const w of [a, b]) w.stdout!.on('data', (d) => outputs.set(w, outputs.get(w)! + d));
  const handle = engine.startRun(wide(1, 5_000));
  while (![a, b].some((w) => /started/.test(outputs.get(w)!))) await new Promise((r) => setTimeout(r, 10));
  const victim = /started/.test(outputs.get(a)!) ? a : b;
  const survivor = victim === a ? b : a;
  const killedAt = performance.now();
  victim.kill('SIGKILL');
  while (!/redelivered/.test(outputs.get(survivor)!)) await new Promise((r) => setTimeout(r, 10));
  const ms = performance.now() - killedAt;
  await handle.done;
  await engine.close();
  survivor.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
  return ms;
}

export async function benchQueue(): Promise<void> {
  console.log('\n== Queue mode (BullMQ on a local redis-server, awe worker processes) ==');
  if (!existsSync(REDIS)) {
    console.log(`!! SKIPPED: no redis-server at ${REDIS} (apt-get install redis-server, or AWE_REDIS_SERVER)`);
    return;
  }
  const dir = mkdtempSync(join(tmpdir(), 'awe-bench-redis-'));
  const redis = await startRedis(dir);
  const workers: ChildProcess[] = [];
  try {
    const chainLocal = await timed(chain(200));
    const wideLocal = await timed(wide(500));
    workers.push(await startWorker(redis.url));
    const chainRemote = await timed(chain(200), redis.url);
    const wide1 = await timed(wide(500), redis.url);
    workers.push(await startWorker(redis.url));
    const wide2 = await timed(wide(500), redis.url);
    const perNode = (remote: number, local: number, n: number) => (((remote - local) / n) * 1000).toFixed(2);
    console.log(`200-node chain: in-process ${chainLocal.toFixed(2)} s, remote ${chainRemote.toFixed(2)} s → ${perNode(chainRemote, chainLocal, 200)} ms per node of queue overhead (${(chainRemote / chainLocal).toFixed(1)}×)`);
    console.log(`500-node wide:  in-process ${wideLocal.toFixed(2)} s, remote (1 worker) ${wide1.toFixed(2)} s → ${perNode(wide1, wideLocal, 500)} ms per node (${(wide1 / wideLocal).toFixed(1)}×)`);
    console.log(`jobs/s (500 wide): 1 worker ${(500 / wide1).toFixed(0)}, 2 workers ${(500 / wide2).toFixed(0)}`);
    for (const w of workers.splice(0)) w.kill('SIGTERM');
    const recovery = await recoveryMs(redis.url);
    console.log(`recovery after a worker SIGKILL (lock 2 s, stalled check 1 s): ${(recovery / 1000).toFixed(2)} s to redelivery on another worker`);
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    redis.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchQueue().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
