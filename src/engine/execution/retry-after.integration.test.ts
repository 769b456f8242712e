/**
 * Issue 10 item 9: a server's Retry-After is honoured only up to the node's maxBackoffMs.
 * Real http.fetch against a real HTTP server on 127.0.0.1 that answers 503 with an hour,
 * then with a date in 2100 (which overflowed setTimeout: every attempt fired at once).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff';
import { harness } from './scheduler.testkit';
import { createHttpFetchTool } from '../tools/builtin/http-fetch';

let server: http.Server;
let base: string;
const answers: ((res: http.ServerResponse) => void)[] = [];

beforeAll(async () => {
  server = http.createServer((_req, res) => {
    const next = answers.shift();
    if (next) next(res);
    else res.writeHead(200, { 'content-type': 'text/plain' }).end('ok at last');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('Retry-After is bounded by maxBackoffMs', () => {
  it('waits at most maxBackoffMs for "3600" and for a date in 2100, then succeeds', async () => {
    answers.push(
      (res) => res.writeHead(503, { 'retry-after': new Date('2100-01-01T00:00:00Z').toUTCString() }).end('busy until 2100'),
      (res) => res.writeHead(503, { 'retry-after': '3600' }).end('busy for an hour'),
    );
    const tool = createHttpFetchTool({ allowHosts: ['127.0.0.1'] });
    const h = harness(
      { id: 'wf', name: 'wf', nodes: [{ id: 'get', kind: 'tool', tool: 'http.fetch', inputs: { url: `${base}/x` }, retry: { max: 2, maxBackoffMs: 40 } }], edges: [] },
      { tools: [tool], allow: ['http.fetch'] },
    );
    const view = await h.exec.start();
    expect(view.nodes.get.status).toBe('succeeded');
    expect(h.of('node.retry').map((r) => [r.error.code, r.delayMs])).toEqual([
      ['HTTP_503', 40],
      ['HTTP_503', 40],
    ]);
  }, 10_000);

  it('treats absurd Retry-After values as the cap', () => {
    const spec = { max: 1, policy: 'transient' as const, backoffMs: 10, maxBackoffMs: 500 };
    const half = () => 0.5;
    expect(backoffDelay(0, spec, half, 3_600_000)).toBe(500);
    expect(backoffDelay(0, spec, half, Number.POSITIVE_INFINITY)).toBe(500);
    expect(backoffDelay(0, spec, half, Number.NaN)).toBe(500);
    expect(backoffDelay(0, spec, half, -1)).toBe(500);
    expect(backoffDelay(0, spec, half, 120)).toBe(120);
    // the default cap (30 s) applies when the node sets none
    expect(backoffDelay(0, undefined, half, 4_102_444_800_000)).toBe(30_000);
  });
});
