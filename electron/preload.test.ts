import { describe, expect, it, vi } from 'vitest';
import { COMMAND_NAMES, methodName } from '../src/contract';

const electron = vi.hoisted(() => {
  const exposed: Record<string, any> = {};
  const listeners = new Map<string, Set<(...a: unknown[]) => void>>();
  const invoked: { channel: string; request: unknown }[] = [];
  let reply: unknown = { ok: true, result: { workflows: [] } };
  return {
    exposed,
    listeners,
    invoked,
    setReply: (r: unknown) => (reply = r),
    module: {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
      ipcRenderer: {
        invoke: async (channel: string, request: unknown) => (invoked.push({ channel, request }), reply),
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

  it('exposes one named method per command, events and platform — nothing else', () => {
    expect(Object.keys(awe).sort()).toEqual([...COMMAND_NAMES.map(methodName), 'events', 'platform'].sort());
    expect(awe.platform).toBe('electron');
    for (const forbidden of ['invoke', 'send', 'ipcRenderer', 'on']) expect(awe[forbidden]).toBeUndefined();
  });

  it('calls the command’s own channel and unwraps the result', async () => {
    await expect(awe.workflowsList({})).resolves.toEqual({ workflows: [] });
    await awe.runsStart({ workflowId: 'w' });
    expect(electron.invoked.map((i) => i.channel)).toEqual(['awe:workflows.list', 'awe:runs.start']);
  });

  it('rejects with the ApiError’s code and problems', async () => {
    electron.setReply({ ok: false, error: { code: 'invalid-workflow', message: 'The workflow has 1 problem', problems: [{ code: 'cycle', message: 'a → b → a' }] } });
    await expect(awe.runsStart({ workflow: {} })).rejects.toMatchObject({ message: 'The workflow has 1 problem', code: 'invalid-workflow', problems: [{ code: 'cycle' }] });
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
