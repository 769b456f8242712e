/**
 * The preload bridge: `window.awe` with one named method per command of the API table
 * (`workflowsList`, `runsStart`, …) and `events.subscribe`. It never exposes
 * `ipcRenderer` or a generic invoke, so the page can reach only the commands in the
 * table, each on its own `awe:<command>` channel. Sandboxed: imports only 'electron'
 * at run time (the table is bundled in by electron-vite).
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { COMMAND_NAMES, methodName } from '../src/contract/api';
import type { ApiError, CommandName, EngineEvent } from '../src/contract';

type DispatchResult = { ok: true; result: unknown } | { ok: false; error: ApiError };

/** Rejects like the browser client: an Error carrying the ApiError's code and problems. */
function unwrap(res: DispatchResult): unknown {
  if (res.ok) return res.result;
  const err = new Error(res.error.message) as Error & Partial<ApiError>;
  err.name = 'AweCallError';
  err.code = res.error.code;
  if (res.error.problems) err.problems = res.error.problems;
  throw err;
}

function method(command: CommandName) {
  const channel = `awe:${command}`;
  return async (request: unknown) => unwrap((await ipcRenderer.invoke(channel, request ?? {})) as DispatchResult);
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
