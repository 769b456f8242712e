/**
 * Shared by the queue-mode tests: a real `redis-server` started as a child on a unix socket in
 * the test's folder (`--port 0 --save ''`, never daemonised, stopped by pid), real `awe worker`
 * processes with a short lock (2 s) and stalled check (1 s), and a control plane in the test
 * process (createEngine with a QueueExecutor). With no redis-server the tests skip, loudly.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createEngine, type LocalEngine, type ToolSpec } from '../engine';
import { QueueExecutor } from '../engine/queue';
import type { EngineEvent } from '../contract';
import type { CliProcess, CliSandbox } from './cli.testkit';

export const REDIS_SERVER = process.env.AWE_REDIS_SERVER || '/usr/bin/redis-server';
export const HAVE_REDIS = existsSync(REDIS_SERVER);
if (!HAVE_REDIS) {
  process.stderr.write(`\n${'!'.repeat(78)}\n!! SKIPPED: queue-mode tests need redis-server (not found at ${REDIS_SERVER}).\n!! Install it (apt-get install redis-server) or set AWE_REDIS_SERVER.\n${'!'.repeat(78)}\n\n`);
}

/** Lock and stalled-check of the tests' workers: a SIGKILLed worker's job is redelivered in ≈ 2–3 s. */
export const WORKER_ENV = { AWE_QUEUE_LOCK_MS: '2000', AWE_QUEUE_STALLED_CHECK_MS: '1000' };

export interface RedisChild {
  url: string;
  pid: number;
  /** Stops it (SIGTERM, by pid) and waits for it to exit. */
  stop(): Promise<void>;
  /** Starts it again on the same socket (same folder: with AOF on, same data). */
  restart(): Promise<void>;
}

export async function startRedis(dir: string, options: { appendonly?: boolean } = {}): Promise<RedisChild> {
  mkdirSync(dir, { recursive: true });
  const socket = join(dir, 'redis.sock');
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(REDIS_SERVER, ['--port', '0', '--unixsocket', socket, '--unixsocketperm', '700', '--save', '', '--appendonly', options.appendonly ? 'yes' : 'no', '--dir', dir], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`redis-server did not start: ${out}`)), 10_000);
      child.stdout!.on('data', (d) => {
        out += d;
        if (/ready to accept connections/i.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`redis-server exited (${code}): ${out}`)));
    });
  };
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(child.pid!, 'SIGTERM');
    await exited;
  };
  await launch();
  return {
    url: `unix://${socket}`,
    get pid() {
      return child.pid!;
    },
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
  };
}

/** A real `awe worker` on the queue, started and ready to take jobs. */
export async function startWorker(cli: CliSandbox, url: string, extraArgs: string[] = [], env: Record<string, string> = {}): Promise<CliProcess> {
  const worker = cli.start(['worker', '--queue', url, ...extraArgs], { env: { ...WORKER_ENV, ...env }, dataDir: false });
  await waitFor(() => /taking jobs from queue/.test(worker.output()), 90_000, () => `awe worker did not start:\n${worker.output()}`);
  return worker;
}

/** A control plane in this process: the engine with a QueueExecutor (reconciling every 500 ms). */
export function openControlPlane(dataDir: string, url: string, extraTools: ToolSpec[] = []): { engine: LocalEngine; executor: QueueExecutor } {
  const executor = new QueueExecutor({ url, reconcileMs: 500, logger: { info: () => undefined, warn: () => undefined, error: () => undefined } });
  const engine = createEngine({ dataDir, executor, extraTools, allow: ['file.write', 'file.read', 'file.list'] });
  return { engine, executor };
}

export async function waitFor(check: () => boolean, timeoutMs: number, message: () => string): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(message());
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** `job <id>: <tool> started (key <key>, delivery n)` lines of a worker's output. */
export function startsIn(output: string): { jobId: string; key: string; delivery: number }[] {
  return [...output.matchAll(/job (\S+): \S+ started \(key (\S+), delivery (\d+)\)/g)].map((m) => ({ jobId: m[1], key: m[2], delivery: Number(m[3]) }));
}

/** How many `succeeded` status events each node has in a run's log. */
export function successesPerNode(events: EngineEvent[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of events) if (e.type === 'node.status' && e.status === 'succeeded') counts[e.nodeId] = (counts[e.nodeId] ?? 0) + 1;
  return counts;
}

/** A graph of `width` independent util.wait nodes, then one that joins them. */
export function waitGraph(id: string, width: number, ms: number) {
  const nodes = Array.from({ length: width }, (_, i) => ({ id: `w${i}`, kind: 'tool', tool: 'util.wait', inputs: { ms } }));
  return {
    id,
    name: id,
    version: 1,
    nodes: [...nodes, { id: 'join', kind: 'tool', tool: 'util.wait', inputs: { ms: 1 } }],
    edges: nodes.map((n) => ({ id: `e-${n.id}`, source: n.id, target: 'join' })),
    settings: { concurrency: width },
  };
}
