import { beforeEach, describe, expect, it, vi } from 'vitest';
import { COMMAND_NAMES, methodName } from '../src/contract';

/**
 * A stand-in for Electron's contextBridge that copies values across the world boundary
 * as Electron documents it: functions become proxies (their arguments and results are
 * copied too, promises included), plain data is structured-cloned, and an Error — thrown
 * or rejected — arrives as a new Error with its message only: custom properties such as
 * `code` and `problems` are lost, and so is its class.
 */
const bridgeCopy = vi.hoisted(() => {
  const copyError = (e: unknown) => new Error(e instanceof Error ? e.message : String(e));
  const copy = (value: unknown): unknown => {
    if (typeof value === 'function') {
      const fn = value as (...a: unknown[]) => unknown;
      return (...args: unknown[]) => {
        let out: unknown;
        try {
          out = fn(...args.map(copy));
        } catch (e) {
          throw copyError(e);
        }
        if (out instanceof Promise) return out.then(copy, (e: unknown) => Promise.reject(copyError(e)));
        return copy(out);
      };
    }
    if (value instanceof Error) return copyError(value);
    if (Array.isArray(value)) return value.map(copy);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copy(v)]));
    return structuredClone(value);
  };
  return copy;
});

const electron = vi.hoisted(() => {
  const exposed: Record<string, any> = {};
  const listeners = new Map<string, Set<(...a: unknown[]) => void>>();
  const invoked: { channel: string; request: unknown }[] = [];
  const listed = { ok: true, result: { workflows: [] } };
  let reply: unknown = listed;
  return {
    exposed,
    listeners,
    invoked,
    setReply: (r: unknown) => (reply = r),
    /** Each test starts with nothing invoked and the main process answering with `listed`. */
    reset: () => {
      invoked.length = 0;
      reply = listed;
    },
    module: {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = bridgeCopy(api)) },
      ipcRenderer: {
        // ipcRenderer.invoke structured-clones what the main process returned.
        invoke: async (channel: string, request: unknown) => (invoked.push({ channel, request }), structuredClone(reply)),
        on: (channel: string, fn: (...a: unknown[]) => void) => (listeners.get(channel) ?? listeners.set(channel, new Set()).get(channel)!).add(fn),
        removeListener: (channel: string, fn: (...a: unknown[]) => void) => listeners.get(channel)?.delete(fn),
      },
    },
  };
});
vi.mock('electron', () => electron.module);
await import('./preload');

describe('preload bridge', () => {
  const awe = electron.exposed.awe;
  beforeEach(() => electron.reset());

  it('exposes one named method per command, events and platform — nothing else', () => {
    expect(Object.keys(awe).sort()).toEqual([...COMMAND_NAMES.map(methodName), 'events', 'platform'].sort());
    expect(awe.platform).toBe('electron');
    for (const forbidden of ['invoke', 'send', 'ipcRenderer', 'on']) expect(awe[forbidden]).toBeUndefined();
  });

  it('calls the command’s own channel and answers with the result envelope', async () => {
    await expect(awe.workflowsList({})).resolves.toEqual({ ok: true, result: { workflows: [] } });
    await awe.runsStart({ workflowId: 'w' });
    expect(electron.invoked.map((i) => i.channel)).toEqual(['awe:workflows.list', 'awe:runs.start']);
  });

  it('a failure reaches the page across contextBridge with its code and problems', async () => {
    const error = { code: 'invalid-workflow', message: 'The workflow has 1 problem', problems: [{ code: 'cycle', message: 'a → b → a', nodeId: 'a' }] };
    electron.setReply({ ok: false, error });
    const received = await awe.runsStart({ workflow: {} }).then(
      (v: unknown) => v,
      (e: unknown) => e,
    );
    expect(received).toEqual({ ok: false, error });
  });

  it('events.subscribe delivers batches without the IPC event, and unsubscribes', () => {
    const got: unknown[] = [];
    const off = awe.events.subscribe((batch: unknown) => got.push(batch));
    const fire = (batch: unknown) => electron.listeners.get('awe:events')!.forEach((fn) => fn({ sender: 'secret' }, batch));
    fire([{ seq: 1 }]);
    off();
    fire([{ seq: 2 }]);
    expect(got).toEqual([[{ seq: 1 }]]);
  });
});
