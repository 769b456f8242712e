// The browser's AweApi client against a real WebSocket server speaking the /ws protocol.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocketServer, type WebSocket as ServerSocket } from 'ws';
import type { EngineEvent } from '../../contract';
import { AweCallError, createWebSocketApi } from './ws-client';

const servers: WebSocketServer[] = [];
const clients: { close(): void }[] = [];
afterEach(() => {
  clients.splice(0).forEach((c) => c.close());
  servers.splice(0).forEach((s) => s.close());
});

const ev = (seq: number): EngineEvent => ({ type: 'node.log', runId: 'r1', seq, ts: seq, nodeId: 'a', level: 'info', message: `line ${seq}` });

/** A scripted server: answers calls with `answer`, records them, and can push events. */
async function serve(answer: (command: string, request: any) => { ok: boolean; result?: unknown; error?: unknown }, port = 0) {
  const wss = new WebSocketServer({ host: '127.0.0.1', port });
  servers.push(wss);
  await new Promise((r) => wss.once('listening', r));
  const calls: { command: string; request: any }[] = [];
  const sockets = new Set<ServerSocket>();
  wss.on('connection', (ws) => {
    sockets.add(ws);
    ws.on('close', () => sockets.delete(ws));
    ws.on('message', (data) => {
      const msg = JSON.parse(String(data));
      calls.push({ command: msg.command, request: msg.request });
      ws.send(JSON.stringify({ kind: 'result', id: msg.id, ...answer(msg.command, msg.request) }));
    });
  });
  const port_ = (wss.address() as { port: number }).port;
  return { wss, calls, sockets, port: port_, push: (events: EngineEvent[]) => sockets.forEach((s) => s.send(JSON.stringify({ kind: 'events', events }))) };
}

const until = async (cond: () => boolean) => {
  for (let i = 0; i < 200 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
};

describe('WebSocket AweApi client', () => {
  it('calls commands by method name and rejects with the server’s code and problems', async () => {
    const srv = await serve((command) =>
      command === 'runs.start'
        ? { ok: true, result: { runId: 'r1' } }
        : { ok: false, error: { code: 'invalid-workflow', message: 'bad graph', problems: [{ code: 'cycle', message: 'a → b → a', nodeId: 'a' }] } },
    );
    const api = createWebSocketApi({ url: `ws://127.0.0.1:${srv.port}/ws` });
    clients.push(api);
    expect(api.platform).toBe('web');
    await expect(api.runsStart({ inputs: {} })).resolves.toEqual({ runId: 'r1' });
    expect(srv.calls[0]).toEqual({ command: 'runs.start', request: { inputs: {} } });
    const err = await api.workflowsSave({ workflow: { id: 'w', name: 'w', version: 1, nodes: [], edges: [], settings: {} } }).catch((e) => e);
    expect(err).toBeInstanceOf(AweCallError);
    expect(err.code).toBe('invalid-workflow');
    expect(err.problems[0].nodeId).toBe('a');
  });

  it('delivers pushed event batches and, after a reconnect, catches up on what it missed', async () => {
    let history: EngineEvent[] = [ev(1), ev(2)];
    let srv = await serve((command, req) => (command === 'runs.events' ? { ok: true, result: { events: history.filter((e) => e.seq > req.afterSeq) } } : { ok: true, result: {} }));
    const api = createWebSocketApi({ url: `ws://127.0.0.1:${srv.port}/ws`, backoffMs: 20, maxBackoffMs: 50 });
    clients.push(api);
    const got: number[] = [];
    api.events.subscribe((events) => got.push(...events.map((e) => e.seq)));
    await until(() => api.connection.state === 'open');
    srv.push([ev(1), ev(2)]);
    await until(() => got.length === 2);

    // The server goes away; events 3 and 4 happen while we are disconnected.
    const port = srv.port;
    srv.sockets.forEach((s) => s.terminate());
    srv.wss.close();
    servers.length = 0;
    await until(() => api.connection.state !== 'open');
    history = [ev(1), ev(2), ev(3), ev(4)];
    srv = await serve((command, req) => (command === 'runs.events' ? { ok: true, result: { events: history.filter((e) => e.seq > req.afterSeq) } } : { ok: true, result: {} }), port);
    await until(() => got.length === 4);
    expect(got).toEqual([1, 2, 3, 4]);
    expect(srv.calls).toContainEqual({ command: 'runs.events', request: { runId: 'r1', afterSeq: 2 } });
  });

  it('drops a batch with a malformed event, says so, and goes on with the next', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      const srv = await serve(() => ({ ok: true, result: {} }));
      const api = createWebSocketApi({ url: `ws://127.0.0.1:${srv.port}/ws` });
      clients.push(api);
      const got: EngineEvent[][] = [];
      api.events.subscribe((events) => got.push(events));
      await until(() => api.connection.state === 'open');
      const bad = { type: 'node.status', runId: 'r1', seq: 2, ts: 2, nodeId: 'a', status: 'exploded', generation: 0, attempt: 1 } as unknown as EngineEvent;
      srv.push([ev(1), bad]);
      srv.push([ev(3)]);
      await until(() => got.length === 1);
      expect(got).toEqual([[ev(3)]]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(String(warn.mock.calls[0][0])).toMatch(/not in the protocol.*event 1/s);
    } finally {
      warn.mockRestore();
    }
  });

  it('holds calls made while disconnected and sends them once connected', async () => {
    const probe = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => probe.once('listening', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r)); // nothing listens on `port` now
    const api = createWebSocketApi({ url: `ws://127.0.0.1:${port}/ws`, backoffMs: 20, maxBackoffMs: 40 });
    clients.push(api);
    const pending = api.toolsList({});
    await new Promise((r) => setTimeout(r, 80));
    expect(api.connection.state).toBe('connecting');
    await serve(() => ({ ok: true, result: { tools: [] } }), port);
    await expect(pending).resolves.toEqual({ tools: [] });
  });

  it('sends a run bundle over the socket only when a message holds it; a larger one is refused before sending, the connection kept', async () => {
    const srv = await serve(() => ({ ok: true, result: { runId: 'r9', originalRunId: 'r9' } }));
    const api = createWebSocketApi({ url: `ws://127.0.0.1:${srv.port}/ws` });
    clients.push(api);
    await expect(api.runsImport({ bundle: 'UEsFBg==', fileName: 'small.zip' })).resolves.toEqual({ runId: 'r9', originalRunId: 'r9' });
    const big = 'A'.repeat(12 * 1024 * 1024);
    const err = await api.runsImport({ bundle: big, fileName: 'big.zip' }).catch((e) => e);
    expect(err).toBeInstanceOf(AweCallError);
    expect(err.message).toBe('it is 9.0 MB, and over this connection a run bundle can be at most 7.5 MB; import it with `awe import-run` where the server runs');
    expect(srv.calls.map((c) => c.request.fileName)).toEqual(['small.zip']);
    await expect(api.runsList({})).resolves.toBeDefined();
    expect(api.connection.state).toBe('open');
  });
});
