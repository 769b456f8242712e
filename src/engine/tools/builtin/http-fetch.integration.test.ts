import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolError } from '../../errors';
import type { ToolContext } from '../types';
import { createHttpFetchTool, httpFetchTool, isPrivateAddress, parseRetryAfter } from './http-fetch';

function context(signal = new AbortController().signal): ToolContext {
  return {
    signal,
    log: () => {},
    idempotencyKey: 'run1:node1:1',
    runId: 'run1',
    nodeId: 'node1',
    workspaceDir: '/nonexistent',
    artifacts: { save: () => Promise.reject(new Error('no artifacts in this test')) },
    reportUsage: () => {},
    requestApproval: () => Promise.reject(new Error('headless')),
    callTool: () => Promise.reject(new Error('no tools')),
  };
}

const tool = createHttpFetchTool({ allowHosts: ['127.0.0.1'] });
const call = async (raw: unknown, ctx = context()) => tool.output.parse(await tool.run(tool.input.parse(raw), ctx));
const failure = async (p: Promise<unknown>): Promise<ToolError> => {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ToolError);
  return err as ToolError;
};

let server: http.Server;
let base: string;
const seen: { method?: string; body?: string; headers?: http.IncomingHttpHeaders }[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method, body: Buffer.concat(chunks).toString(), headers: req.headers });
      switch (req.url) {
        case '/text':
          return res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end('hello world');
        case '/json':
          return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ items: [1, 2, 3] }));
        case '/echo':
          return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ method: req.method, body: Buffer.concat(chunks).toString() }));
        case '/missing':
          return res.writeHead(404, { 'content-type': 'text/plain' }).end('no such page');
        case '/busy':
          return res.writeHead(429, { 'retry-after': '7' }).end('slow down');
        case '/broken':
          return res.writeHead(500).end('boom');
        case '/big':
          return res.writeHead(200, { 'content-type': 'text/plain' }).end('x'.repeat(100_000));
        case '/redirect-private':
          return res.writeHead(302, { location: 'http://localhost:1/secret' }).end();
        case '/hang':
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('partial');
          return; // never ends: the caller's signal must cut it
        default:
          return res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('http.fetch', () => {
  it('returns text bodies with status and content type', async () => {
    const out = await call({ url: `${base}/text` });
    expect(out).toMatchObject({ status: 200, text: 'hello world', bytes: 11, truncated: false });
    expect(out.contentType).toContain('text/plain');
    expect(out.headers['content-type']).toContain('text/plain');
  });

  it('parses JSON bodies', async () => {
    const out = await call({ url: `${base}/json` });
    expect(out.json).toEqual({ items: [1, 2, 3] });
    expect(out.text).toBeUndefined();
  });

  it('POSTs JSON bodies with an idempotency key', async () => {
    const out = await call({ url: `${base}/echo`, method: 'POST', body: { a: 1 } });
    expect(out.json).toEqual({ method: 'POST', body: '{"a":1}' });
    const last = seen.at(-1)!;
    expect(last.headers!['content-type']).toBe('application/json');
    expect(last.headers!['idempotency-key']).toBe('run1:node1:1');
  });

  it('fails permanently on 404, naming the status', async () => {
    const err = await failure(call({ url: `${base}/missing` }));
    expect(err.class).toBe('permanent');
    expect(err.code).toBe('HTTP_404');
    expect(err.message).toContain('no such page');
  });

  it('treats 429 as transient and honours Retry-After', async () => {
    const err = await failure(call({ url: `${base}/busy` }));
    expect(err.class).toBe('transient');
    expect(err.retryAfterMs).toBe(7000);
  });

  it('treats 500 as transient', async () => {
    const err = await failure(call({ url: `${base}/broken` }));
    expect(err).toMatchObject({ class: 'transient', code: 'HTTP_500' });
  });

  it('treats a refused connection as transient', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const err = await failure(call({ url: `http://127.0.0.1:${port}/` }));
    expect(err.class).toBe('transient');
    expect(err.code).toBe('ECONNREFUSED');
  });

  it('cuts bodies over maxBytes and says so', async () => {
    const out = await call({ url: `${base}/big`, maxBytes: 1000 });
    expect(out.truncated).toBe(true);
    expect(out.bytes).toBe(1000);
    expect(out.text).toBe('x'.repeat(1000));
  });

  it('refuses non-http schemes permanently', async () => {
    for (const url of ['file:///etc/passwd', 'data:text/plain,hi', 'ftp://example.com/x']) {
      const err = await failure(call({ url }));
      expect(err).toMatchObject({ class: 'permanent', code: 'SCHEME_NOT_ALLOWED' });
    }
  });

  it('refuses private addresses unless allowed', async () => {
    const prev = { private: process.env.AWE_HTTP_ALLOW_PRIVATE, hosts: process.env.AWE_HTTP_ALLOW_HOSTS };
    delete process.env.AWE_HTTP_ALLOW_PRIVATE;
    delete process.env.AWE_HTTP_ALLOW_HOSTS;
    try {
      const strict = (url: string) => httpFetchTool.run(httpFetchTool.input.parse({ url }), context());
      for (const url of [`${base}/text`, 'http://localhost:9/', 'http://[::1]:9/', 'http://169.254.169.254/latest', 'http://10.1.2.3/', 'http://0.0.0.0/']) {
        const err = await failure(strict(url));
        expect(err).toMatchObject({ class: 'permanent', code: 'PRIVATE_ADDRESS' });
      }
      process.env.AWE_HTTP_ALLOW_HOSTS = 'example.invalid, 127.0.0.1';
      expect((await strict(`${base}/text`)).text).toBe('hello world');
    } finally {
      if (prev.private === undefined) delete process.env.AWE_HTTP_ALLOW_PRIVATE;
      else process.env.AWE_HTTP_ALLOW_PRIVATE = prev.private;
      if (prev.hosts === undefined) delete process.env.AWE_HTTP_ALLOW_HOSTS;
      else process.env.AWE_HTTP_ALLOW_HOSTS = prev.hosts;
    }
  });

  it('checks every redirect hop against the address rules', async () => {
    const err = await failure(call({ url: `${base}/redirect-private` }));
    expect(err).toMatchObject({ class: 'permanent', code: 'PRIVATE_ADDRESS' });
    expect(err.message).toContain('localhost');
  });

  it('stops when the node is cancelled', async () => {
    const controller = new AbortController();
    const pending = call({ url: `${base}/hang` }, context(controller.signal));
    setTimeout(() => controller.abort(new DOMException('cancelled by user', 'AbortError')), 50);
    const err = await pending.then(() => undefined, (e: unknown) => e as Error);
    expect(err?.name).toBe('AbortError');
  });

  it('turns its own timeoutMs into a transient TIMEOUT', async () => {
    const err = await failure(call({ url: `${base}/hang`, timeoutMs: 100 }));
    expect(err).toMatchObject({ class: 'transient', code: 'TIMEOUT' });
  });
});

describe('address rules', () => {
  it('knows loopback, private and link-local ranges in both families', () => {
    for (const a of ['127.0.0.1', '10.0.0.1', '172.16.5.4', '192.168.1.1', '169.254.169.254', '0.0.0.0', '::1', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1']) {
      expect(isPrivateAddress(a), a).toBe(true);
    }
    for (const a of ['8.8.8.8', '172.32.0.1', '2606:4700::1111']) expect(isPrivateAddress(a), a).toBe(false);
  });

  it('reads Retry-After as seconds or a date', () => {
    expect(parseRetryAfter('3')).toBe(3000);
    expect(parseRetryAfter(new Date(10_000).toUTCString(), 4_000)).toBe(6000);
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});
