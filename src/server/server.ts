/**
 * `awe serve`: the API over REST + WebSocket and the built renderer for a browser, on
 * node:http and `ws`. Secure by default: a token on every API request and WebSocket
 * (loopback included; generated per start unless given), Host/Origin checked, bodies
 * capped at 10 MB, requests given a deadline, connections and WebSocket clients capped,
 * and every bad request answered with a 4xx instead of a crash.
 */
import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { resolve } from 'node:path';
import { WebSocketServer } from 'ws';
import { WS_PROTOCOL } from '../contract';
import { createHandlers } from '../host/handlers';
import { uiCsp, type Engine } from '../engine';
import { checkAccess, generateToken, isAllowedOrigin, isLoopbackHost, writeTokenFile } from './auth';
import type { AccessPolicy } from './auth';
import { HttpError, MAX_BODY_BYTES, SECURITY_HEADERS, sendError, sendJson } from './http';
import { docsPage, openApiDocument } from './openapi';
import { handleRest, STREAMED } from './rest';
import { serveStatic } from './static';
import { attachSocketHub } from './ws';
import { sendMetrics } from './metrics-server';
import type { EventStreamStats } from './ws';

export interface ServerOptions {
  engine: Engine;
  /** Address to bind. @default '127.0.0.1' */
  host?: string;
  /** Port to listen on; 0 picks a free one. @default 8787 */
  port?: number;
  /** Required on every API request and WebSocket; a fresh random one per start when absent. */
  token?: string;
  /** Where the token is also written, readable by the user only (0600). */
  tokenFile?: string;
  /** The built renderer. @default `<project>/out/renderer` */
  staticDir?: string;
  /** Event coalescing window for WebSocket clients; 0 = one message per event. @default 16 */
  eventBatchMs?: number;
  /**
   * Time a client has to send a whole request, headers and body; a socket that trickles
   * (slowloris) is closed when it runs out. Headers get at most half of it. @default 30000
   */
  requestTimeoutMs?: number;
  /** Open connections at once; the next one is answered 503 and closed. @default 512 */
  maxConnections?: number;
  /** WebSocket clients at once; the next upgrade is answered 503. @default 64 */
  maxWebSocketClients?: number;
  /**
   * Pages of other origins that may attach to this server (open `/ws`, download exports),
   * e.g. another machine's `awe serve` UI: `http://10.0.0.7:8787`. The desktop app
   * (`awe://app`) may always. @default []
   */
  allowOrigins?: string[];
}

export interface RunningServer {
  /** Base URL, e.g. `http://127.0.0.1:8787` (without the token). */
  url: string;
  /** The token clients must send (given, or generated at start). */
  token: string;
  /** The page to open in a browser: the base URL with `?token=`. */
  appUrl: string;
  /** Event messages and events sent to WebSocket clients so far. */
  stats: EventStreamStats;
  close(): Promise<void>;
}

/** The browser build (`npm run build:web`), found from this file so any working directory works. */
const DEFAULT_STATIC_DIR = resolve(import.meta.dirname, '..', '..', 'out', 'renderer');

/** The two routes an attached app downloads from (run bundles and artifacts). */
const DOWNLOAD_ROUTE = /^\/api\/(runs\/[^/]+\/export|artifacts\/[^/]+\/download)$/;

const DOCS_CSP = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const host = options.host ?? '127.0.0.1';
  const loopback = isLoopbackHost(host);
  const token = options.token || generateToken();
  const policy: AccessPolicy = { token, loopbackOnly: loopback, allowOrigins: options.allowOrigins ?? [] };
  const staticDir = resolve(options.staticDir ?? DEFAULT_STATIC_DIR);
  const engine = options.engine;
  const handlers = createHandlers(engine, {
    downloadUrl: (kind, id) => (kind === 'artifact' ? `/api/artifacts/${encodeURIComponent(id)}/download` : `/api/runs/${encodeURIComponent(id)}/export`),
  });

  // `/metrics` is behind the token like the API (Prometheus sends it as `authorization: Bearer`).
  const isApiPath = (p: string) => p === '/metrics' || p === '/health' || p === '/ws' || p.startsWith('/api/') || p === '/api';

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return sendError(res, 400, { code: 'bad-request', message: 'The request URL is malformed.' });
    }
    const api = isApiPath(url.pathname);
    // Exports are downloaded by an attached app with fetch() and its token in a header: CORS for those two routes only.
    const download = DOWNLOAD_ROUTE.test(url.pathname);
    const origin = req.headers.origin;
    if (download && origin && isAllowedOrigin(origin, policy)) {
      res.setHeader('Access-Control-Allow-Origin', origin);
      res.setHeader('Vary', 'Origin');
      res.setHeader('Access-Control-Expose-Headers', 'Content-Disposition');
      if (req.method === 'OPTIONS') {
        // A preflight carries no token by design; it only learns that a GET with Authorization may follow.
        const hostOk = checkAccess(req, url, policy, { api: false });
        if (!hostOk.ok) return sendError(res, hostOk.status, { code: 'forbidden', message: hostOk.message });
        res.writeHead(204, { 'Access-Control-Allow-Methods': 'GET', 'Access-Control-Allow-Headers': 'Authorization', 'Access-Control-Max-Age': '600' });
        return void res.end();
      }
    }
    const access = checkAccess(req, url, policy, { api, crossOrigin: download && req.method === 'GET' });
    if (!access.ok) {
      if (access.status === 401) res.setHeader('WWW-Authenticate', 'Bearer');
      return sendError(res, access.status, { code: 'forbidden', message: access.message });
    }

    if (url.pathname === '/metrics' && req.method === 'GET' && engine.metricsText) return sendMetrics(engine, res);
    if (url.pathname === '/api/openapi.json' && req.method === 'GET') return sendJson(res, 200, openApiDocument());
    if (url.pathname === '/api/docs' && req.method === 'GET') {
      res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'text/html; charset=utf-8', 'Content-Security-Policy': DOCS_CSP });
      return void res.end(docsPage());
    }
    const answer = await handleRest({ engine, handlers }, req, res, url);
    if (answer === STREAMED) return;
    if (answer !== false) return sendJson(res, 200, answer);
    if (api) return sendError(res, 404, { code: 'not-found', message: `No route ${req.method} ${url.pathname}. See /api/docs.` });
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return sendError(res, 405, { code: 'bad-request', message: `${req.method} is not allowed on ${url.pathname}.` });
    }
    const served = await serveStatic(staticDir, url.pathname, res, req.method, uiCsp(engine.teamServers.connectSources()));
    if (served === 'forbidden') return sendError(res, 403, { code: 'forbidden', message: 'That path is outside the app folder.' });
    if (served === 'not-found') {
      if (!existsSync(resolve(staticDir, 'index.html'))) {
        return sendError(res, 503, { code: 'not-found', message: `The browser UI is not built (no ${staticDir}/index.html): run \`npm run build:web\`.` });
      }
      return sendError(res, 404, { code: 'not-found', message: `No file ${url.pathname}.` });
    }
  }

  const requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
  const server = createServer(
    {
      requestTimeout: requestTimeoutMs,
      headersTimeout: Math.ceil(requestTimeoutMs / 2),
      // How often Node looks for requests past those deadlines; its default (30 s) would let a short one run long.
      connectionsCheckingInterval: Math.max(50, Math.min(1_000, Math.floor(requestTimeoutMs / 4))),
    },
    (req, res) => {
      handle(req, res).catch((err: unknown) => {
        if (err instanceof HttpError) {
          if (err.status === 413) {
            // The rest of the body is never read: close the connection after answering.
            res.setHeader('Connection', 'close');
            res.on('finish', () => setTimeout(() => req.destroy(), 200).unref());
          }
          return sendError(res, err.status, err.error);
        }
        sendError(res, 500, { code: 'internal', message: err instanceof Error ? err.message : String(err) });
      });
    },
  );
  limitConnections(server, options.maxConnections ?? 512);
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // Past requestTimeout / headersTimeout (a trickling client): 408, and the socket is closed.
    const timedOut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT';
    if (socket.writable) socket.end(`HTTP/1.1 ${timedOut ? '408 Request Timeout' : '400 Bad Request'}\r\nConnection: close\r\n\r\n`);
    else socket.destroy();
    if (timedOut) setTimeout(() => socket.destroy(), 1_000).unref();
  });

  // The answer names the API's protocol only: the token a client offered is never echoed.
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_BODY_BYTES, handleProtocols: (offered) => (offered.has(WS_PROTOCOL) ? WS_PROTOCOL : false) });
  const hub = attachSocketHub(wss, engine, handlers, { eventBatchMs: options.eventBatchMs });
  const maxSockets = options.maxWebSocketClients ?? 64;
  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return void socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    }
    if (url.pathname !== '/ws') return void socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
    const access = checkAccess(req, url, policy, { api: true, crossOrigin: true });
    if (!access.ok) {
      const line = access.status === 401 ? '401 Unauthorized' : '403 Forbidden';
      return void socket.end(`HTTP/1.1 ${line}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${access.message}`);
    }
    if (wss.clients.size >= maxSockets) {
      return void socket.end(`HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nToo many WebSocket clients (${maxSockets}); close one and retry.`);
    }
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 8787, host, () => {
      server.off('error', fail);
      ready();
    });
  });
  // Only once listening: a second server that fails to start must not replace a running one's token.
  if (options.tokenFile) {
    try {
      writeTokenFile(options.tokenFile, token);
    } catch (err) {
      await new Promise<void>((done) => server.close(() => done()));
      throw err;
    }
  }
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  const url = `http://${shownHost}:${address.port}`;
  return {
    url,
    token,
    appUrl: `${url}/?token=${encodeURIComponent(token)}`,
    stats: hub.stats,
    async close() {
      hub.close();
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((done) => wss.close(() => done()));
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}

/**
 * Caps open connections: one over the cap is answered 503 and closed at once, so a flood
 * of idle or trickling sockets cannot exhaust file descriptors while the connections
 * already open (a page, its WebSocket) keep working.
 */
function limitConnections(server: Server, max: number): void {
  let open = 0;
  server.on('connection', (socket: Socket) => {
    if (open >= max) {
      socket.on('error', () => socket.destroy());
      socket.end(`HTTP/1.1 503 Service Unavailable\r\nRetry-After: 5\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\nToo many connections (${max}).`);
      socket.destroySoon();
      return;
    }
    open++;
    socket.once('close', () => open--);
  });
}
