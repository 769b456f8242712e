/**
 * The one way the renderer reaches AWE: `window.awe` from the Electron preload, or the
 * same interface over WebSocket when the page is served by `awe serve`. Nothing else in
 * the renderer knows which.
 */
import type { AweApi } from '../../contract';
import { createWebSocketApi, defaultSocketUrl, type ConnectionMonitor, type ConnectionState } from './ws-client';

export { AweCallError } from './ws-client';
export type { ConnectionMonitor, ConnectionState };

declare global {
  interface Window {
    awe?: AweApi;
  }
}

let api: AweApi | null = null;
let connection: ConnectionMonitor | null = null;

/** The bridge's connection never drops inside the desktop app. */
const alwaysOpen: ConnectionMonitor = { state: 'open', subscribe: () => () => {} };

export function getAwe(): AweApi {
  if (api) return api;
  if (window.awe) {
    api = window.awe;
    connection = alwaysOpen;
  } else {
    const ws = createWebSocketApi({ url: defaultSocketUrl(window.location) });
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
