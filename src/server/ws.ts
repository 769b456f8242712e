/**
 * The WebSocket endpoint (`/ws`): the API table's commands and the event stream over
 * one socket, for the browser UI's `window.awe` client.
 The protocol's messages are declared in src/contract/wire.ts.
 */
import type { WebSocket, WebSocketServer } from 'ws';
import type { ApiError, EngineEvent, ServerMessage } from '../contract';
import { ClientMessage, formatIssues } from '../contract';
import { createCoalescer } from '../host/coalesce';
import type { Handlers } from '../host/handlers';
import type { Engine } from '../engine';
import { parseJsonText } from './http';

/**
 * A client that has this much unsent data is too slow to keep up: it is closed (code
 * 1013) and, on reconnect, catches up from its last seq instead of growing our memory.
 */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

export interface EventStreamOptions {
  /** Coalescing window for pushed events; 0 sends one message per event. @default 16 */
  eventBatchMs?: number;
}

export interface EventStreamStats {
  /** `events` messages sent (counted once per client). */
  messages: number;
  /** Events delivered (counted once per client). */
  events: number;
}

export interface SocketHub {
  stats: EventStreamStats;
  /** Stops the event stream (flushing what is buffered). */
  close(): void;
}

export function attachSocketHub(wss: WebSocketServer, engine: Engine, handlers: Handlers, options: EventStreamOptions = {}): SocketHub {
  const stats: EventStreamStats = { messages: 0, events: 0 };
  const clients = new Set<WebSocket>();

  const broadcast = (events: EngineEvent[]) => {
    if (clients.size === 0) return;
    const text = JSON.stringify({ kind: 'events', events } satisfies ServerMessage);
    for (const ws of clients) {
      if (ws.readyState !== ws.OPEN) continue;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
        ws.close(1013, 'Too slow to receive events; reconnect and catch up with runs.events');
        continue;
      }
      ws.send(text);
      stats.messages++;
      stats.events += events.length;
    }
  };

  const batchMs = options.eventBatchMs ?? 16;
  // Without coalescing the baseline is one message per event (what a naive bridge does).
  const coalescer = createCoalescer<EngineEvent>(batchMs > 0 ? broadcast : (batch) => batch.forEach((e) => broadcast([e])), {
    intervalMs: batchMs,
  });
  const unsubscribe = engine.subscribe((batch) => coalescer.push(batch));

  wss.on('connection', (ws) => {
    clients.add(ws);
    ws.on('close', () => clients.delete(ws));
    ws.on('error', () => clients.delete(ws));
    ws.on('message', (data, isBinary) => {
      void answer(ws, data as Buffer, isBinary);
    });
  });

  const send = (ws: WebSocket, message: ServerMessage) => {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  };
  const sendError = (ws: WebSocket, error: ApiError, id?: number) =>
    send(ws, id === undefined ? { kind: 'error', error } : { kind: 'result', id, ok: false, error });

  async function answer(ws: WebSocket, data: Buffer, isBinary: boolean): Promise<void> {
    if (isBinary) return sendError(ws, { code: 'bad-request', message: 'Send JSON text frames, not binary.' });
    const parsedText = parseJsonText(data.toString('utf8'));
    if (!parsedText.ok) return sendError(ws, { code: 'bad-request', message: `The message: ${parsedText.message}` });
    const message = parsedText.value;
    const parsed = ClientMessage.safeParse(message);
    if (!parsed.success) {
      const id = (message as { id?: unknown } | null)?.id;
      const words = formatIssues(parsed.error.issues, '', 20, '(message)');
      const error: ApiError = { code: 'bad-request', message: `Expected {"kind":"call","id":<number>,"command":<string>,"request":{…}}: ${words}` };
      return sendError(ws, error, typeof id === 'number' && Number.isInteger(id) && id >= 0 ? id : undefined);
    }
    const { id, command, request } = parsed.data;
    const result = await handlers.dispatch(command, request);
    send(ws, { kind: 'result', id, ...result });
  }

  return {
    stats,
    close() {
      unsubscribe();
      coalescer.close();
    },
  };
}
