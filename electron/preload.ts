/**
 * The preload bridge: `window.awe` with one named method per command of the API table
 * (`workflowsList`, `runsStart`, …) and `events.subscribe`. It never exposes
 * `ipcRenderer` or a generic invoke, so the page can reach only the commands in the
 * table, each on its own `awe:<command>` channel. Sandboxed: imports only 'electron'
 * at run time (the table is bundled in by electron-vite).
 *
 * Each method resolves with the command's DispatchResult, failures included. contextBridge
 * copies only an Error's message across the world boundary (its `code` and `problems`
 * would be lost), so errors travel as plain envelopes and the renderer rebuilds them
 * (src/renderer/api/bridge-client.ts).
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { COMMAND_NAMES, methodName } from '../src/contract/api';
import type { CommandName, DispatchResult, EngineEvent } from '../src/contract';

function method(command: CommandName) {
  const channel = `awe:${command}`;
  return async (request: unknown): Promise<DispatchResult> => (await ipcRenderer.invoke(channel, request ?? {})) as DispatchResult;
}

const bridge: Record<string, unknown> = {};
for (const command of COMMAND_NAMES) bridge[methodName(command)] = method(command);

bridge.events = {
  subscribe(cb: (events: EngineEvent[]) => void): () => void {
    // The listener gets the batch only: the IPC event object (with `sender`) stays here.
    const listener = (_event: IpcRendererEvent, batch: EngineEvent[]) => cb(batch);
    ipcRenderer.on('awe:events', listener);
    return () => {
      ipcRenderer.removeListener('awe:events', listener);
    };
  },
};
bridge.platform = 'electron';

contextBridge.exposeInMainWorld('awe', bridge);
