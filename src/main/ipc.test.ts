import { beforeEach, describe, expect, it, vi } from 'vitest';
import { COMMAND_NAMES } from '../contract';
import { createEngineDouble } from '../host/engine-double.testkit';
import type { EngineDouble } from '../host/engine-double.testkit';
import { createHandlers } from '../host/handlers';

/** A fake ipcMain that keeps the registered handlers so the test can invoke them. */
const fakeIpc = vi.hoisted(() => {
  const handlers = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  return {
    handlers,
    handle: (channel: string, fn: (event: unknown, ...args: unknown[]) => unknown) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`);
      handlers.set(channel, fn);
    },
    removeHandler: (channel: string) => handlers.delete(channel),
  };
});
vi.mock('electron', () => ({ ipcMain: fakeIpc }));

const { registerIpcHandlers, senderProblem } = await import('./ipc');
const { forwardEvents } = await import('./events');

const WINDOW_ID = 7;
const ours = { sender: { id: WINDOW_ID }, senderFrame: { url: 'awe://app/index.html', parent: null } };

let engine: EngineDouble;
let unregister: () => void;

const invoke = (channel: string, event: unknown, request: unknown) => {
  const fn = fakeIpc.handlers.get(channel);
  if (!fn) throw new Error(`no handler for ${channel}`);
  return fn(event, request) as Promise<any>;
};

beforeEach(() => {
  unregister?.();
  engine = createEngineDouble();
  unregister = registerIpcHandlers(createHandlers(engine), () => WINDOW_ID);
});

describe('IPC handlers', () => {
  it('registers exactly one awe:<command> channel per command of the table', () => {
    expect([...fakeIpc.handlers.keys()].sort()).toEqual(COMMAND_NAMES.map((c) => `awe:${c}`).sort());
  });

  it('passes valid calls from our window to the engine', async () => {
    const res = await invoke('awe:plan', ours, { goal: 'fetch a page and summarise it' });
    expect(res).toMatchObject({ ok: true, result: { planner: 'offline' } });
    expect(engine.calls.map((c) => c.method)).toEqual(['plan']);
    const list = await invoke('awe:workflows.list', ours, {});
    expect(list).toEqual({ ok: true, result: { workflows: [] } });
  });

  it('rejects malformed payloads with bad-request and never reaches the engine', async () => {
    for (const bad of [{ goal: 42 }, 'goal', [1], { goal: '' }]) {
      const res = await invoke('awe:plan', ours, bad);
      expect(res).toMatchObject({ ok: false, error: { code: 'bad-request' } });
    }
    expect(engine.calls).toEqual([]);
  });

  it.each([
    ['another webContents', { sender: { id: 99 }, senderFrame: { url: 'awe://app/index.html', parent: null } }, /AWE window/],
    ['a subframe', { sender: { id: WINDOW_ID }, senderFrame: { url: 'awe://app/frame.html', parent: {} } }, /subframe/],
    ['another origin', { sender: { id: WINDOW_ID }, senderFrame: { url: 'https://evil.example/', parent: null } }, /origin/],
    ['a file:// page', { sender: { id: WINDOW_ID }, senderFrame: { url: 'file:///tmp/x.html', parent: null } }, /origin/],
    ['a look-alike host', { sender: { id: WINDOW_ID }, senderFrame: { url: 'awe://app.evil/index.html', parent: null } }, /origin/],
    ['a destroyed frame', { sender: { id: WINDOW_ID }, senderFrame: null }, /frame is gone/],
  ])('refuses calls from %s', async (_name, event, reason) => {
    const res = await invoke('awe:workflows.list', event, {});
    expect(res).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(res.error.message).toMatch(reason);
    expect(engine.calls).toEqual([]);
  });

  it('refuses every call while no window exists', async () => {
    unregister();
    unregister = registerIpcHandlers(createHandlers(engine), () => undefined);
    expect(await invoke('awe:settings.get', ours, {})).toMatchObject({ ok: false, error: { code: 'forbidden' } });
  });

  it('senderProblem accepts only our main frame on awe://app', () => {
    expect(senderProblem(ours, WINDOW_ID)).toBeUndefined();
    expect(senderProblem({ ...ours, senderFrame: { url: 'not a url', parent: null } }, WINDOW_ID)).toMatch(/valid URL/);
  });
});

describe('event forwarding', () => {
  it('coalesces engine batches into one awe:events message per frame, seqs intact', async () => {
    const sent: { channel: string; batch: any[] }[] = [];
    const target = { isDestroyed: () => false, send: (channel: string, batch: unknown) => sent.push({ channel, batch: batch as any[] }) };
    const stop = forwardEvents(engine, () => target, 16);
    engine.startRun(engine.validate({ id: 'w', name: 'W', nodes: [{ id: 'a', kind: 'tool', tool: 't' }, { id: 'b', kind: 'tool', tool: 't' }] }).workflow!);
    expect(sent).toEqual([]);
    await new Promise((r) => setTimeout(r, 40));
    expect(sent).toHaveLength(1);
    expect(sent[0].channel).toBe('awe:events');
    expect(sent[0].batch.map((e) => e.seq)).toEqual([1, 2, 3, 4]);
    stop();
  });
});
