/**
 * Queue mode end to end, with real parts: redis-server, two real `awe worker` processes, the
 * control plane's engine in this process. The offline examples end in the same state as
 * in-process; a cancelled run aborts the jobs running on the workers.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEngine, type LocalEngine } from '../engine';
import type { RunView, Workflow } from '../contract';
import { ROOT, useCliSandbox } from './cli.testkit';
import { HAVE_REDIS, openControlPlane, startRedis, startsIn, startWorker, waitFor, waitGraph } from './queue.testkit';

const cli = useCliSandbox();
const EXAMPLES = join(ROOT, 'resources', 'examples');
const ONLINE = ['http.fetch', 'llm.generate', 'agent.run', 'human.approve'];
const offline = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith('.awe.json'))
  .sort()
  .filter((f) => !ONLINE.some((t) => readFileSync(join(EXAMPLES, f), 'utf8').includes(`"${t}"`)));

async function runExample(engine: LocalEngine, file: string): Promise<{ view: RunView; workspace: string }> {
  const read = await engine.readWorkflowFile(join(EXAMPLES, file));
  if (!read.workflow) throw new Error(`${file}: ${JSON.stringify(read.problems)}`);
  const workflow = read.workflow as Workflow;
  engine.approveWorkflowAllowRequest(workflow, engine.workflowAllowRequest(workflow).requested);
  const workspace = engine.workspaceForRun(workflow.id);
  return { view: await engine.startRun(workflow, { workspaceDir: workspace }).done, workspace };
}

/** What a person sees of a finished run, with what differs per data folder by design (workspace path, artifact ids) made neutral. */
function finalState(view: RunView, workspace: string) {
  const nodes = Object.fromEntries(Object.entries(view.nodes).map(([id, n]) => [id, { status: n.status, output: n.output ?? null, error: n.error ?? null }]));
  const json = JSON.stringify({ status: view.status, deadLetters: view.deadLetters, nodes }).split(workspace).join('<workspace>');
  return JSON.parse(json.replace(/"artifactId":"a[0-9a-z]{9}[0-9a-f]{10}"/g, '"artifactId":"<id>"'));
}

describe.skipIf(!HAVE_REDIS)('queue mode: examples and cancel through awe worker', () => {
  it('every offline example ends in the same state through two workers as in-process', { timeout: 180_000 }, async () => {
    expect(offline.length).toBeGreaterThanOrEqual(4);
    const redis = await startRedis(join(cli.dir, 'redis'));
    const workers = await Promise.all([startWorker(cli, redis.url), startWorker(cli, redis.url)]);
    const local = createEngine({ dataDir: join(cli.dir, 'local'), allow: ['file.write', 'file.read', 'file.list'] });
    const { engine: remote } = openControlPlane(join(cli.dir, 'remote'), redis.url);
    try {
      for (const file of offline) {
        const a = await runExample(local, file);
        const b = await runExample(remote, file);
        expect(a.view.status, file).toBe('succeeded');
        expect(finalState(b.view, b.workspace), file).toEqual(finalState(a.view, a.workspace));
      }
      const jobs = workers.flatMap((w) => startsIn(w.output()));
      // Only remote-placed tools went to the workers (file.*, util.wait …), and some did.
      expect(jobs.length).toBeGreaterThan(0);
      expect(jobs.every((j) => j.delivery === 1)).toBe(true);
    } finally {
      await remote.close();
      await local.close();
      await redis.stop();
    }
  });

  it('cancelling a run aborts the jobs running on the workers', { timeout: 60_000 }, async () => {
    const redis = await startRedis(join(cli.dir, 'redis'));
    const worker = await startWorker(cli, redis.url, ['--concurrency', '4']);
    const { engine } = openControlPlane(join(cli.dir, 'data'), redis.url);
    try {
      const workflow = engine.validate(waitGraph('cancel-me', 4, 30_000)).workflow!;
      const handle = engine.startRun(workflow);
      await waitFor(() => startsIn(worker.output()).length === 4, 30_000, () => `jobs did not start:\n${worker.output()}`);
      const cancelledAt = Date.now();
      engine.cancelRun(handle.runId);
      await waitFor(() => (worker.output().match(/failed cancelled CANCELLED/g) ?? []).length === 4, 10_000, () => `jobs were not aborted:\n${worker.output()}`);
      const abortMs = Date.now() - cancelledAt;
      process.stdout.write(`[queue] 4 remote jobs aborted ${abortMs} ms after the cancel\n`);
      // Far below the tools' 30 s wait: the worker's AbortSignal ended them (the issue asks for < 1 s; measured above).
      expect(abortMs).toBeLessThan(5_000);
      const view = await handle.done;
      expect(view.status).toBe('cancelled');
      expect(worker.output()).not.toMatch(/succeeded/);
    } finally {
      await engine.close();
      await redis.stop();
    }
  });
});
