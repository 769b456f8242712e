/**
 * What crosses the wire around the API table (DESIGN.md §2): the answer every transport
 * gives to one command, and the messages of the WebSocket at `/ws`. The preload, the
 * main process, `awe serve` and the renderer's clients all use these schemas, so a
 * change to the protocol is a change here.
 *
 * WebSocket protocol (JSON text frames):
 *   client → server  {"kind":"call","id":1,"command":"runs.start","request":{…}}
 *   server → client  {"kind":"result","id":1,"ok":true,"result":…}
 *                    {"kind":"result","id":1,"ok":false,"error":{code,message,problems?}}
 *                    {"kind":"events","events":[EngineEvent…]}   (≤ 1 per ~16 ms, to every client)
 *                    {"kind":"error","error":{code,message}}     (a frame with no usable id)
 * A client that reconnects catches up with `runs.events` from the last seq it saw.
 */
import { z } from 'zod';
import { ApiError, type AweApi, type CommandName, type RequestOf } from './api';
import { EngineEvent } from './events';

/**
 * The answer to one command: its result, or the typed error. A plain object on purpose:
 * it survives structured cloning (Electron IPC and contextBridge drop an Error's own
 * properties, so an error's `code` and `problems` would not).
 */
export const DispatchResult = z.discriminatedUnion('ok', [
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: ApiError }),
]);
export type DispatchResult = z.infer<typeof DispatchResult>;

/** A command sent over the WebSocket; `id` pairs it with its `result`. */
export const CallMessage = z.object({
  kind: z.literal('call'),
  id: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  command: z.string().max(200),
  request: z.unknown().optional(),
});
export type CallMessage = z.infer<typeof CallMessage>;

/** Everything a client may send. */
export const ClientMessage = CallMessage;
export type ClientMessage = z.infer<typeof ClientMessage>;

const CallId = CallMessage.shape.id;

/** Everything the server sends. */
export const ServerMessage = z.union([
  z.object({ kind: z.literal('result'), id: CallId, ok: z.literal(true), result: z.unknown() }),
  z.object({ kind: z.literal('result'), id: CallId, ok: z.literal(false), error: ApiError }),
  z.object({ kind: z.literal('events'), events: z.array(EngineEvent) }),
  z.object({ kind: z.literal('error'), error: ApiError }),
]);
export type ServerMessage = z.infer<typeof ServerMessage>;

/**
 * The WebSocket subprotocol of this API. A client offers it first and, second, its token
 * as `awe.token.<base64url of the token>`: a browser cannot set headers on a WebSocket,
 * and a subprotocol keeps the token out of URLs (history, logs, proxies). The server
 * answers with `awe.v1` only, never echoing the token.
 */
export const WS_PROTOCOL = 'awe.v1';

/** The largest request body and WebSocket message `awe serve` takes (413, or the socket closed, beyond). */
export const MAX_MESSAGE_BYTES = 10 * 1024 * 1024;
export const WS_TOKEN_PREFIX = 'awe.token.';

/** The subprotocols a client offers to authenticate with `token`. */
export function socketProtocols(token: string): string[] {
  const bytes = new TextEncoder().encode(token);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  const base64url = btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  return [WS_PROTOCOL, `${WS_TOKEN_PREFIX}${base64url}`];
}

/** The token a client offered in its subprotocols, if any (undefined when malformed). */
export function tokenFromProtocols(protocols: Iterable<string>): string | undefined {
  for (const p of protocols) {
    if (!p.startsWith(WS_TOKEN_PREFIX)) continue;
    const body = p.slice(WS_TOKEN_PREFIX.length);
    if (!/^[A-Za-z0-9_-]+$/.test(body)) return undefined;
    const binary = atob(body.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    try {
      return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * `window.awe` as the Electron preload exposes it: one named method per command that
 * resolves with the command's DispatchResult (an error stays a plain envelope, so it
 * crosses contextBridge whole); the renderer turns it back into the `AweApi`.
 */
export type AweBridge = {
  [C in CommandName as C extends `${infer A}.${infer B}` ? `${A}${Capitalize<B>}` : C]: (request: RequestOf<C>) => Promise<DispatchResult>;
} & Pick<AweApi, 'events' | 'platform'>;
