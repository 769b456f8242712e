/**
 * `awe serve --queue` end to end, all real processes: redis-server, an `awe worker` and an
 * `awe serve` in queue mode. Runs started through its REST and WebSocket API execute their
 * remote nodes on the worker (its output names each job's idempotency key), the local ones in
 * the server, and the clients see them finish over the WebSocket; a cancel through the API
 * reaches the job running on the worker.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { socketProtocols, type EngineEvent } from '../contract';
import { useCliSandbox, waitForOutput } from './cli.testkit';
import { HAVE_REDIS, startRedis, startsIn, startWorker, waitFor, waitGraph } from './queue.testkit';

const cli = useCliSandbox();

/** Two remote util.wait nodes and a local text.template that joins them. */
const workflow = (id: string) => ({
  id,
  name: id,
  version: 1,
  nodes: [
    { id: 'a', kind: 'tool', tool: 'util.wait', inputs: { ms: 50 } },
    { id: 'b', kind: 'tool', tool: 'util.wait', inputs: { ms: 50 } },
    { id: 'join', kind: 'tool', tool: 'text.template', inputs: { template: 'waited {{nodes.a.output.waitedMs}} and {{nodes.b.output.waitedMs}}' } },
  ],
  edges: [
    { id: 'e1', source: 'a', target: 'join' },
    { id: 'e2', source: 'b', target: 'join' },
  ],
});

async function connect(url: string, token: string) {
  const ws = new WebSocket(`${url.replace('http', 'ws')}/ws`, socketProtocols(token));
  const events: EngineEvent[] = [];
  const pending = new Map<number, (m: { ok: boolean; result?: any; error?: unknown }) => void>();
  let nextId = 1;
  ws.on('message', (data) => {
    const m = JSON.parse(String(data));
    if (m.kind === 'events') events.push(...m.events);
    else if (m.kind === 'result') pending.get(m.id)?.(m);
  });
  await new Promise<void>((ok, fail) => (ws.once('open', () => ok()), ws.once('error', fail)));
  return {
    events,
    call: (command: string, request: unknown) =>
      new Promise<{ ok: boolean; result?: any; error?: unknown }>((ok) => {
        const id = nextId++;
        pending.set(id, ok);
        ws.send(JSON.stringify({ kind: 'call', id, command, request }));
      }),
    finished: (runId: string) => events.find((e) => e.runId === runId && e.type === 'run.finished') as Extract<EngineEvent, { type: 'run.finished' }> | undefined,
    close: () => ws.close(),
  };
}

describe.skipIf(!HAVE_REDIS)('queue mode: awe serve --queue', () => {
  it('runs started through REST and WebSocket execute their remote nodes on awe worker; cancel reaches the worker', { timeout: 120_000 }, async () => {
    const redis = await startRedis(join(cli.dir, 'redis'));
    try {
      const worker = await startWorker(cli, redis.url);
      const serve = cli.start(['serve', '--port', '0', '--queue', redis.url], { env: { AWE_QUEUE_RECONCILE_MS: '500' } });
      const [, url, token] = await waitForOutput(serve.output, /AWE is serving (http:\/\/127\.0\.0\.1:\d+)\/\?token=([\w-]+)\n/, 60_000);
      const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      const client = await connect(url, token);
      try {
        // One run through REST, one through the WebSocket API.
        const rest = await fetch(`${url}/api/runs`, { method: 'POST', headers: auth, body: JSON.stringify({ workflow: workflow('via-rest') }) });
        expect(rest.status).toBe(200);
        const restRun = ((await rest.json()) as { run_id: string }).run_id;
        const ws = await client.call('runs.start', { workflow: workflow('via-ws') });
        expect(ws.ok).toBe(true);
        const wsRun = ws.result.runId as string;

        await waitFor(() => !!client.finished(restRun) && !!client.finished(wsRun), 60_000, () => `runs did not finish; server:\n${serve.output()}\nworker:\n${worker.output()}`);
        for (const runId of [restRun, wsRun]) {
          expect(client.finished(runId)!.status).toBe('succeeded');
          const view = (await (await fetch(`${url}/api/runs/${runId}`, { headers: auth })).json()) as { status: string; nodes: Record<string, { output: unknown }> };
          expect(view.status).toBe('succeeded');
          expect(view.nodes.join.output).toEqual({ text: expect.stringMatching(/^waited \d+ and \d+$/) });
        }
        // The remote nodes ran on the worker, once each; the local template did not go there.
        const keys = startsIn(worker.output()).map((s) => s.key).sort();
        expect(keys).toEqual([`${restRun}:a:0`, `${restRun}:b:0`, `${wsRun}:a:0`, `${wsRun}:b:0`].sort());

        // Cancel through the API: the job running on the worker is aborted.
        const long = await client.call('runs.start', { workflow: waitGraph('long', 1, 60_000) });
        const longRun = long.result.runId as string;
        await waitFor(() => startsIn(worker.output()).some((s) => s.key === `${longRun}:w0:0`), 30_000, () => worker.output());
        const cancelledAt = Date.now();
        expect((await fetch(`${url}/api/runs/${longRun}/cancel`, { method: 'POST', headers: auth })).status).toBe(200);
        await waitFor(() => /cancelled by the control plane/.test(worker.output()), 10_000, () => worker.output());
        expect(Date.now() - cancelledAt).toBeLessThan(5_000);
        await waitFor(() => !!client.finished(longRun), 10_000, () => serve.output());
        expect(client.finished(longRun)!.status).toBe('cancelled');
      } finally {
        client.close();
        process.kill(serve.child.pid!, 'SIGTERM');
        await serve.result;
        process.kill(worker.child.pid!, 'SIGTERM');
        await worker.result;
      }
    } finally {
      await redis.stop();
    }
  });
});
