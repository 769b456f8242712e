/**
 * The one way the renderer reaches AWE: `window.awe` from the Electron preload, or the
 * same interface over WebSocket when the page is served by `awe serve`. Nothing else in
 * the renderer knows which.
 */
import type { AweApi, AweBridge } from '../../contract';
import { createBridgeApi } from './bridge-client';
import { AweCallError } from './call-error';
import { chooseEngine, engineChoice } from './engine-choice';
import { createTeamApi } from './team-client';
import { createWebSocketApi, socketUrl, takePageToken, type ConnectionMonitor, type ConnectionState } from './ws-client';

export { AweCallError } from './call-error';
export type { ConnectionMonitor, ConnectionState };

declare global {
  interface Window {
    /** The Electron preload's bridge (absent in a browser). */
    awe?: AweBridge;
  }
}

let api: AweApi | null = null;
let local: AweApi | null = null;
let connection: ConnectionMonitor | null = null;

/** The bridge's connection never drops inside the desktop app. */
const alwaysOpen: ConnectionMonitor = { state: 'open', subscribe: () => () => {} };

/** This machine's engine: the desktop app's, or the `awe serve` that served the page. */
export function getLocalAwe(): AweApi {
  if (local) return local;
  if (window.awe) {
    local = createBridgeApi(window.awe);
    connection = alwaysOpen;
  } else {
    const ws = createWebSocketApi({ url: socketUrl(window.location), token: takePageToken(), importUrl: '/api/runs/import' });
    local = ws;
    connection = ws.connection;
  }
  return local;
}

/** The engine the page works with: the local one, or the team server chosen in Settings → Servers. */
export function getAwe(): AweApi {
  if (api) return api;
  const choice = engineChoice();
  if (choice.kind === 'local') return (api = getLocalAwe());
  const token = async () => {
    try {
      return (await getLocalAwe().serversCredentials({ url: choice.url })).token;
    } catch (e) {
      // The server was removed from Settings: back to the local engine rather than retrying forever.
      if (e instanceof AweCallError && (e.code === 'not-found' || e.code === 'bad-request')) chooseEngine(null);
      throw e;
    }
  };
  getLocalAwe(); // opened first: the banner below follows the team server's connection
  const team = createTeamApi(choice.url, token);
  connection = team.connection;
  api = team;
  return api;
}

/** Connection state for the "Not connected" banner. */
export function getConnection(): ConnectionMonitor {
  getAwe();
  return connection!;
}

/** A readable message for any error a call rejects with. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
