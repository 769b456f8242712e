/**
 * The layout worker client against the real worker module (in a Node worker thread):
 * layouts come back, Cancel ends the thread mid-layout, a broken worker fails loudly.
 * Starting a thread compiles ELK (1.5 MB): slow on a loaded machine, hence the timeouts.
 */
import { Worker } from 'node:worker_threads';
import { afterEach, describe, expect, it } from 'vitest';
import { realisticWorkflow } from '../../bench/workflow-shapes';
import { createLayoutClient, LayoutCancelled, type LayoutClient, type LayoutReply, type LayoutWorker } from '../../src/renderer/lib/layout-client';
import { layoutInput } from '../../src/renderer/lib/layout-input';

const BOOTSTRAP = new URL('../support/layout-worker-thread.mjs', import.meta.url);

/** The real layout worker module in a Node worker thread, behind the Web Worker interface the client uses. */
function threadWorker(log: { replies: LayoutReply[]; exits: number[] }, file: URL = BOOTSTRAP): LayoutWorker {
  const thread = new Worker(file, { execArgv: ['--import', 'tsx'] });
  const w: LayoutWorker = {
    onmessage: null,
    onerror: null,
    postMessage: (m) => thread.postMessage(m),
    terminate: () => void thread.terminate(),
  };
  thread.on('message', (data: LayoutReply) => {
    log.replies.push(data);
    w.onmessage?.({ data });
  });
  thread.on('error', (e) => w.onerror?.({ message: e.message }));
  thread.on('exit', (code) => log.exits.push(code));
  return w;
}

let client: LayoutClient | undefined;
afterEach(() => client?.dispose());

describe('layout worker client', () => {
  it('lays out in the worker and reuses it for the next layout', async () => {
    const log = { replies: [] as LayoutReply[], exits: [] as number[] };
    let spawned = 0;
    client = createLayoutClient(() => (spawned++, threadWorker(log)));
    const wf = realisticWorkflow(60);
    const first = await client.layout(layoutInput(wf)).done;
    expect(Object.keys(first)).toHaveLength(wf.nodes.length);
    const second = await client.layout(layoutInput(wf)).done;
    expect(second).toEqual(first);
    expect(spawned).toBe(1);
  }, 120_000);

  it('Cancel ends the worker mid-layout: no positions arrive, and the next layout starts a fresh worker', async () => {
    const log = { replies: [] as LayoutReply[], exits: [] as number[] };
    let spawned = 0;
    client = createLayoutClient(() => (spawned++, threadWorker(log)));
    // Warm the worker so the cancel lands inside ELK's layout, not while the module loads.
    await client.layout(layoutInput(realisticWorkflow(20))).done;
    const repliesBefore = log.replies.length;
    const job = client.layout(layoutInput(realisticWorkflow(3_000)));
    await new Promise((r) => setTimeout(r, 300));
    job.cancel();
    await expect(job.done).rejects.toBeInstanceOf(LayoutCancelled);
    await expect.poll(() => log.exits.length).toBe(1);
    // The 3,000-node layout never answered: the thread was ended, not left to finish.
    expect(log.replies.length).toBe(repliesBefore);
    job.cancel(); // a second Cancel is harmless
    const wf = realisticWorkflow(30);
    expect(Object.keys(await client.layout(layoutInput(wf)).done)).toHaveLength(wf.nodes.length);
    expect(spawned).toBe(2);
  }, 120_000);

  it('a worker that cannot start fails the layout with a message instead of hanging', async () => {
    const log = { replies: [] as LayoutReply[], exits: [] as number[] };
    client = createLayoutClient(() => threadWorker(log, new URL('../support/no-such-worker.mjs', import.meta.url)));
    await expect(client.layout(layoutInput(realisticWorkflow(10))).done).rejects.toThrow(/layout worker failed/);
  }, 60_000);
});
