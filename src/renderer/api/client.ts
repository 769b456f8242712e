/**
 * The one way the renderer reaches AWE: `window.awe` from the Electron preload, or the
 * same interface over WebSocket when the page is served by `awe serve`. Nothing else in
 * the renderer knows which.
 */
import type { AweApi, AweBridge } from '../../contract';
import { createBridgeApi } from './bridge-client';
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
let connection: ConnectionMonitor | null = null;

/** The bridge's connection never drops inside the desktop app. */
const alwaysOpen: ConnectionMonitor = { state: 'open', subscribe: () => () => {} };

export function getAwe(): AweApi {
  if (api) return api;
  if (window.awe) {
    api = createBridgeApi(window.awe);
    connection = alwaysOpen;
  } else {
    const ws = createWebSocketApi({ url: socketUrl(window.location), token: takePageToken() });
    api = ws;
    connection = ws.connection;
  }
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
