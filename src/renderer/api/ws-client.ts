/**
 * `window.awe` for the browser: the same AweApi over one WebSocket to `awe serve`. The
 * protocol's messages are declared in src/contract/wire.ts; every frame the server sends
 * is checked against them before it is used (decode.ts).
 */
import { api as commands, ApiError, COMMAND_NAMES, MAX_MESSAGE_BYTES, methodName, socketProtocols, type AweApi, type CallMessage, type CommandName, type EngineEvent, type RequestOf, type ResponseOf } from '../../contract';
import { AweCallError, callError } from './call-error';
import { decodeServerMessage, type Decoded } from './decode';

export { AweCallError };

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface ConnectionMonitor {
  readonly state: ConnectionState;
  subscribe(cb: (state: ConnectionState) => void): () => void;
}

export interface WebSocketApiOptions {
  /** The server's `/ws` URL, without a token. */
  url: string;
  /**
   * The server's token, offered as a subprotocol (never put in the URL); a function is
   * asked before each connection (a team server's token comes from the local engine).
   */
  token?: string | (() => Promise<string>);
  /** For tests and non-browser hosts. @default globalThis.WebSocket */
  WebSocketImpl?: typeof WebSocket;
  /** First reconnect delay; doubles up to `maxBackoffMs`. @default 500 */
  backoffMs?: number;
  /** @default 8000 */
  maxBackoffMs?: number;
  /** How many recently active runs are caught up after a reconnect. @default 5 */
  catchUpRuns?: number;
  /**
   * The server's `POST /api/runs/import` (the page's own server): `runs.import` posts the
   * bundle's bytes there with the token in a header, since a WebSocket message holds at most
   * 10 MB and a bundle up to 64 MB. Without it the bundle goes over the socket, within its limit.
   */
  importUrl?: string;
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: Error): void;
  /** Whether the call went out on a socket (only those can be lost with it). */
  sent: boolean;
}

/** Where the page keeps the server's token for its lifetime (one tab; gone when it closes). */
export const TOKEN_STORAGE_KEY = 'awe.token';

/**
 * The token `awe serve` put in the page's URL (`/?token=…`). It is moved into
 * sessionStorage and out of the address bar at once, so it does not linger in history,
 * bookmarks or a shared screen; a reload finds it in sessionStorage.
 */
export function takePageToken(win: Pick<Window, 'location' | 'history' | 'sessionStorage'> = window): string | undefined {
  const url = new URL(win.location.href);
  const fromUrl = url.searchParams.get('token');
  let stored: string | null = null;
  try {
    if (fromUrl) win.sessionStorage.setItem(TOKEN_STORAGE_KEY, fromUrl);
    stored = win.sessionStorage.getItem(TOKEN_STORAGE_KEY);
  } catch {
    // Storage can be disabled; the token then lives only in this page's memory.
  }
  if (fromUrl) {
    url.searchParams.delete('token');
    win.history.replaceState(win.history.state, '', url.pathname + url.search + url.hash);
  }
  return fromUrl ?? stored ?? undefined;
}

/** The `/ws` URL of the server at `origin` (the page's own by default); the token goes in a subprotocol. */
export function socketUrl(origin: Pick<Location, 'protocol' | 'host'>): string {
  const scheme = origin.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${origin.host}/ws`;
}

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

function base64Bytes(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Posts a run bundle's bytes to `POST /api/runs/import`; answers and fails as the command does. */
async function postRunBundle(url: string, token: string | undefined, request: RequestOf<'runs.import'>): Promise<ResponseOf<'runs.import'>> {
  const target = request.fileName ? `${url}?file_name=${encodeURIComponent(request.fileName)}` : url;
  let answer: Response;
  try {
    answer = await fetch(target, {
      method: 'POST',
      headers: { 'content-type': 'application/zip', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: base64Bytes(request.bundle),
    });
  } catch {
    throw new AweCallError('The connection to AWE was lost before the upload finished', 'disconnected');
  }
  const body: unknown = await answer.json().catch(() => undefined);
  if (!answer.ok) {
    const error = ApiError.safeParse((body as { error?: unknown } | undefined)?.error);
    throw error.success ? callError(error.data) : new AweCallError(`The server refused the upload (HTTP ${answer.status})`, 'internal');
  }
  const result = commands['runs.import'].response.safeParse(body);
  if (!result.success) throw new AweCallError('The engine answered with something that is not a result', 'internal');
  return result.data;
}

/** A download URL of the server with the token added: a link the browser follows cannot carry a header. */
function withToken(url: string, token: string | undefined): string {
  if (!token || !url.startsWith('/')) return url;
  return `${url}${url.includes('?') ? '&' : '?'}token=${encodeURIComponent(token)}`;
}

export function createWebSocketApi(opts: WebSocketApiOptions): AweApi & { connection: ConnectionMonitor; close(): void } {
  const WS = opts.WebSocketImpl ?? globalThis.WebSocket;
  const baseDelay = opts.backoffMs ?? 500;
  const maxDelay = opts.maxBackoffMs ?? 8000;
  const catchUpLimit = opts.catchUpRuns ?? 5;

  let socket: WebSocket | null = null;
  let state: ConnectionState = 'connecting';
  let nextId = 1;
  let attempt = 0;
  let closedByUs = false;
  let everOpened = false;
  const pending = new Map<number, Pending>();
  /** Calls made while disconnected wait here; calls already sent are failed on a drop (never resent twice). */
  const outbox: { id: number; text: string }[] = [];
  const listeners = new Set<(events: EngineEvent[]) => void>();
  const stateListeners = new Set<(s: ConnectionState) => void>();
  /** Highest seq delivered per run, in order of last activity, for catch-up after reconnect. */
  const lastSeq = new Map<string, number>();

  const setState = (s: ConnectionState) => {
    state = s;
    for (const l of stateListeners) l(s);
  };

  const deliver = (events: EngineEvent[]) => {
    for (const e of events) {
      const prev = lastSeq.get(e.runId) ?? 0;
      lastSeq.delete(e.runId); // re-insert to keep most recently active last
      lastSeq.set(e.runId, Math.max(prev, e.seq));
    }
    for (const l of listeners) l(events);
  };

  const catchUp = async () => {
    const runs = [...lastSeq.entries()].slice(-catchUpLimit);
    for (const [runId, afterSeq] of runs) {
      try {
        const { events } = (await call('runs.events', { runId, afterSeq })) as { events: EngineEvent[] };
        if (events.length) deliver(events);
      } catch {
        // The run may be gone; the next live event reveals any remaining gap to the runs store.
      }
    }
  };

  const retry = () => {
    setState('connecting');
    const delay = Math.min(maxDelay, baseDelay * 2 ** attempt) * (0.75 + Math.random() * 0.5);
    attempt += 1;
    setTimeout(connect, delay);
  };

  const connect = () => {
    setState('connecting');
    if (typeof opts.token !== 'function') return open(opts.token);
    opts.token().then(
      (token) => (closedByUs ? setState('closed') : open(token)),
      () => (closedByUs ? setState('closed') : retry()),
    );
  };

  const open = (token: string | undefined) => {
    const ws = token ? new WS(opts.url, socketProtocols(token)) : new WS(opts.url);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      const reconnected = everOpened;
      everOpened = true;
      setState('open');
      while (outbox.length) {
        const { id, text } = outbox.shift()!;
        const p = pending.get(id);
        if (!p) continue;
        p.sent = true;
        ws.send(text);
      }
      if (reconnected) void catchUp();
    };
    ws.onmessage = (m) => {
      let decoded: Decoded;
      try {
        decoded = decodeServerMessage(JSON.parse(typeof m.data === 'string' ? m.data : String(m.data)));
      } catch {
        decoded = { ok: false, error: 'not JSON' };
      }
      // A frame that is not in the protocol is dropped (and said in the console): a call it should have answered fails with its connection.
      if (!decoded.ok) {
        console.warn(`AWE: dropped a message from the server that is not in the protocol (${decoded.error})`);
        return;
      }
      const msg = decoded.message;
      if (msg.kind === 'events') deliver(msg.events);
      else if (msg.kind === 'result') {
        const p = pending.get(msg.id);
        if (!p) return;
        pending.delete(msg.id);
        if (msg.ok) p.resolve(msg.result);
        else p.reject(callError(msg.error));
      }
    };
    // Browsers fire error then close; some hosts (Node's WebSocket) fire only error when the
    // connection is refused. Handle whichever comes first, once per socket.
    const lost = () => {
      if (socket !== ws) return;
      socket = null;
      try {
        ws.close();
      } catch {}
      for (const [id, p] of pending) {
        if (!p.sent) continue; // still queued: goes out after the reconnect
        p.reject(new AweCallError('The connection to AWE was lost before the call finished', 'disconnected'));
        pending.delete(id);
      }
      if (closedByUs) return setState('closed');
      retry();
    };
    ws.onclose = lost;
    ws.onerror = lost;
  };

  function call(command: CommandName, request: unknown): Promise<unknown> {
    const id = nextId++;
    const text = JSON.stringify({ kind: 'call', id, command, request: request ?? {} } satisfies CallMessage);
    return new Promise((resolve, reject) => {
      const open = !!socket && socket.readyState === WS.OPEN;
      pending.set(id, { resolve, reject, sent: open });
      if (open) socket!.send(text);
      else outbox.push({ id, text });
    });
  }

  const api: Record<string, unknown> = {};
  for (const c of COMMAND_NAMES) api[methodName(c)] = (request: unknown) => call(c, request);
  // Exports answer with a same-origin download URL; the token it needs is the socket's.
  const token = typeof opts.token === 'string' ? opts.token : undefined;
  for (const c of ['artifacts.export', 'runs.export'] as const) {
    api[methodName(c)] = async (request: unknown) => {
      const res = (await call(c, request)) as { url?: string };
      return res && typeof res.url === 'string' ? { ...res, url: withToken(res.url, token) } : res;
    };
  }
  const importUrl = opts.importUrl;
  if (importUrl) {
    api[methodName('runs.import')] = (request: RequestOf<'runs.import'>) => postRunBundle(importUrl, token, request);
  } else {
    api[methodName('runs.import')] = (request: RequestOf<'runs.import'>) => {
      // A larger message would close the connection instead of being answered (the room left
      // around the bundle covers the longest file name the command takes).
      const room = MAX_MESSAGE_BYTES - 4096;
      if (request.bundle.length > room) {
        const size = (request.bundle.length * 3) / 4;
        return Promise.reject(new AweCallError(`it is ${mb(size)}, and over this connection a run bundle can be at most ${mb((room * 3) / 4)}; import it with \`awe import-run\` where the server runs`, 'bad-request'));
      }
      return call('runs.import', request);
    };
  }
  api.events = {
    subscribe(cb: (events: EngineEvent[]) => void) {
      listeners.add(cb);
      return () => listeners.delete(cb);
    },
  };
  api.platform = 'web';
  api.connection = {
    get state() {
      return state;
    },
    subscribe(cb: (s: ConnectionState) => void) {
      stateListeners.add(cb);
      return () => stateListeners.delete(cb);
    },
  } satisfies ConnectionMonitor;
  api.close = () => {
    closedByUs = true;
    socket?.close();
  };

  connect();
  return api as unknown as AweApi & { connection: ConnectionMonitor; close(): void };
}
