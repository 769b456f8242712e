/**
 * DNS rebinding against http.fetch: a stub resolver answers a public address first and the
 * loopback address (where a "private" server listens) afterwards. The connection must go to
 * the address that was checked, never to a second answer.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import zlib from 'node:zlib';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ToolError } from '../../errors';
import { testToolContext } from '../tool-context.testkit';
import type { HostResolver, ResolvedAddress } from './http-address';
import { createHttpFetchTool, type HttpFetchOptions } from './http-fetch';

let server: http.Server;
let port: number;
let hits: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    hits.push(req.url ?? '');
    if (req.url === '/to-evil') return res.writeHead(302, { location: `http://evil.test:${port}/secret` }).end();
    if (req.url === '/gzip') {
      return res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' }).end(zlib.gzipSync(JSON.stringify({ zipped: true })));
    }
    res.writeHead(200, { 'content-type': 'text/plain' }).end('internal secret');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  hits = [];
});

/** Answers each lookup with the next list of addresses (the last one repeats), counting lookups. */
function scriptedResolver(...answers: ResolvedAddress[][]): HostResolver & { calls: string[] } {
  const calls: string[] = [];
  const resolve = (async (hostname: string) => {
    calls.push(hostname);
    return answers[Math.min(calls.length - 1, answers.length - 1)];
  }) as HostResolver & { calls: string[] };
  resolve.calls = calls;
  return resolve;
}
const PUBLIC = { address: '203.0.113.7', family: 4 }; // TEST-NET-3: public, not routed here
const LOOPBACK = { address: '127.0.0.1', family: 4 };

const fetchWith = (options: HttpFetchOptions, input: Record<string, unknown>) => {
  const tool = createHttpFetchTool({ allowPrivate: false, allowHosts: [], ...options });
  return tool.run(tool.input.parse(input), testToolContext());
};
const failure = async (p: Promise<unknown>): Promise<ToolError> => {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ToolError);
  return err as ToolError;
};

describe('http.fetch and DNS rebinding', () => {
  it('resolves once and connects to the checked public address, never to a later private answer', async () => {
    const resolve = scriptedResolver([PUBLIC], [LOOPBACK]);
    const err = await failure(fetchWith({ resolve }, { url: `http://rebind.test:${port}/secret`, timeoutMs: 1500 }));
    expect(err.class).toBe('transient'); // 203.0.113.7 does not answer here
    expect(resolve.calls).toEqual(['rebind.test']);
    expect(hits).toEqual([]);
  });

  it('refuses a name whose answer is private, before connecting', async () => {
    const resolve = scriptedResolver([LOOPBACK]);
    const err = await failure(fetchWith({ resolve }, { url: `http://rebind.test:${port}/secret` }));
    expect(err).toMatchObject({ class: 'permanent', code: 'PRIVATE_ADDRESS' });
    expect(err.message).toContain("'rebind.test' (127.0.0.1)");
    expect(hits).toEqual([]);
  });

  it('refuses a name with a public and a private address (the socket could pick either)', async () => {
    const resolve = scriptedResolver([PUBLIC, { address: '::ffff:127.0.0.1', family: 6 }]);
    expect((await failure(fetchWith({ resolve }, { url: `http://rebind.test:${port}/secret` }))).code).toBe('PRIVATE_ADDRESS');
    expect(hits).toEqual([]);
  });

  it('checks the name a redirect leads to with the same pinned lookup', async () => {
    const resolve = scriptedResolver([LOOPBACK]);
    const err = await failure(fetchWith({ resolve, allowHosts: ['127.0.0.1'] }, { url: `http://127.0.0.1:${port}/to-evil` }));
    expect(err).toMatchObject({ code: 'PRIVATE_ADDRESS' });
    expect(err.message).toContain('evil.test');
    expect(hits).toEqual(['/to-evil']);
  });

  it('connects to the resolver\'s answer for an allowed host (the name is unknown to the system DNS)', async () => {
    const resolve = scriptedResolver([LOOPBACK]);
    const out = await fetchWith({ resolve, allowHosts: ['intranet.test'] }, { url: `http://intranet.test:${port}/secret` });
    expect(out).toMatchObject({ status: 200, text: 'internal secret' });
    expect(hits).toEqual(['/secret']);
  });

  it('decodes gzip bodies', async () => {
    const out = await fetchWith({ allowHosts: ['127.0.0.1'] }, { url: `http://127.0.0.1:${port}/gzip` });
    expect(out).toMatchObject({ status: 200, json: { zipped: true }, truncated: false });
    expect(out.headers['content-encoding']).toBeUndefined();
  });
});
