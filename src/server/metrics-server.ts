/**
 * `GET /metrics`: the engine's Prometheus metrics. On the API server it is behind the
 * token like every API path; `awe serve --metrics-port N` also serves it alone on a
 * loopback port without a token, for a Prometheus on the same machine that is not given
 * the token. That listener answers `/metrics` only and binds to 127.0.0.1, nothing else.
 * `awe worker --metrics-port N` serves its own metrics (WorkerMetrics) with the same listener.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Engine } from '../engine';
import { SECURITY_HEADERS, sendError } from './http';

/** What keeps metrics: an engine (when it keeps any) or a worker's WorkerMetrics. */
export type MetricsSource = Pick<Engine, 'metricsText'>;

export async function sendMetrics(engine: MetricsSource, res: ServerResponse): Promise<void> {
  if (!engine.metricsText) return sendError(res, 404, { code: 'not-found', message: 'This engine keeps no metrics.' });
  const { contentType, text } = await engine.metricsText();
  res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': contentType, 'Cache-Control': 'no-store' });
  res.end(text);
}

export interface MetricsServer {
  url: string;
  close(): Promise<void>;
}

/** Serves `/metrics` on 127.0.0.1:`port` (0 picks a free port). */
export async function startMetricsServer(engine: MetricsSource, port: number): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics') return sendError(res, 404, { code: 'not-found', message: 'Only /metrics is served here.' });
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, { code: 'bad-request', message: `${req.method} is not allowed on /metrics.` });
    sendMetrics(engine, res).catch((err: Error) => sendError(res, 500, { code: 'internal', message: err.message }));
  });
  await new Promise<void>((ready, fail) => {
    server.once('error', fail);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', fail);
      ready();
    });
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/metrics`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
