/**
 * Electron IPC for the API table: one `ipcMain.handle('awe:<command>')` per command,
 * each checking who is asking before it reaches `dispatch` (the same handlers the
 * server uses). Only the main frame of our own window, showing our own origin, may
 * call; anything else (a subframe, a navigated-away page, another webContents) is
 * refused. This mirrors VS Code's validated IPC.
 */
import { ipcMain } from 'electron';
import { COMMAND_NAMES } from '../contract';
import type { DispatchResult } from '../contract';
import type { Handlers } from '../host/handlers';

/** The app's origin: the renderer is served from `awe://app/` (see protocol.ts). */
export const APP_SCHEME = 'awe';
export const APP_HOST = 'app';
export const CHANNEL_PREFIX = 'awe:';
export const EVENTS_CHANNEL = 'awe:events';

/** The parts of `IpcMainInvokeEvent` the check reads (a fake in tests). */
export interface InvokeEventLike {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown | null } | null | undefined;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: any, ...args: any[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** Why a sender is refused, or undefined when it is our window's main frame on our origin. */
export function senderProblem(event: InvokeEventLike, trustedWebContentsId: number | undefined): string | undefined {
  if (trustedWebContentsId === undefined || event.sender?.id !== trustedWebContentsId) return 'the call did not come from the AWE window';
  const frame = event.senderFrame;
  if (!frame) return 'the calling frame is gone';
  if (frame.parent !== null && frame.parent !== undefined) return 'the call came from a subframe';
  let url: URL;
  try {
    url = new URL(frame.url);
  } catch {
    return `the calling frame has no valid URL (${frame.url})`;
  }
  // WHATWG gives custom schemes an opaque origin ("null"), so compare scheme and host.
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return `the calling page's origin ${url.protocol}//${url.host} is not ${APP_SCHEME}://${APP_HOST}`;
  return undefined;
}

/**
 * Registers one handler per command. Each answers with a DispatchResult (never throws
 * across IPC, so the error's code and problems survive). Returns an unregister function.
 */
export function registerIpcHandlers(handlers: Handlers, trustedWebContentsId: () => number | undefined, ipc: IpcMainLike = ipcMain): () => void {
  const channels = COMMAND_NAMES.map((command) => {
    const channel = `${CHANNEL_PREFIX}${command}`;
    ipc.handle(channel, async (event: InvokeEventLike, request: unknown): Promise<DispatchResult> => {
      const problem = senderProblem(event, trustedWebContentsId());
      if (problem) return { ok: false, error: { code: 'forbidden', message: `Refused ${command}: ${problem}.` } };
      return handlers.dispatch(command, request);
    });
    return channel;
  });
  return () => channels.forEach((c) => ipc.removeHandler(c));
}
