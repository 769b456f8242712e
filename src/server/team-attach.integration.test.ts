/**
 * Attaching to `awe serve` as a team server from another origin (the desktop app, or a
 * page served by another `awe serve`): the token travels in the WebSocket subprotocol or
 * an Authorization header, never in the URL; only allowed origins, only /ws and exports.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { socketProtocols, WS_PROTOCOL } from '../contract';
import { startServer } from './server';
import { useTestServer } from './test-engine.testkit';

const PAGE = 'http://127.0.0.1:49152';
let staticDir = '';
beforeAll(() => {
  staticDir = mkdtempSync(join(tmpdir(), 'awe-static-'));
  writeFileSync(join(staticDir, 'index.html'), '<!doctype html><title>AWE</title>');
});
afterAll(() => rmSync(staticDir, { recursive: true, force: true }));
const server = useTestServer(() => ({ staticDir, allowOrigins: [PAGE] }));
const wsUrl = () => `${server.url.replace('http', 'ws')}/ws`;

/** Opens a socket, makes one call and answers with the negotiated protocol and the call's result. */
function attach(protocols: string[] | undefined, headers: { origin?: string } = {}, url = wsUrl()): Promise<{ protocol: string; answer: unknown }> {
  return new Promise((ok, fail) => {
    const ws = new WebSocket(url, protocols, headers.origin ? { origin: headers.origin } : {});
    ws.once('open', () => ws.send(JSON.stringify({ kind: 'call', id: 1, command: 'runs.list', request: {} })));
    ws.once('message', (data) => {
      ws.close();
      ok({ protocol: ws.protocol, answer: JSON.parse(String(data)) });
    });
    ws.once('unexpected-response', (_req, res) => fail(new Error(`refused with ${res.statusCode}`)));
    ws.once('error', fail);
  });
}

describe('a team server', () => {
  it('takes the token as a WebSocket subprotocol and answers with the API protocol only, never echoing the token', async () => {
    const { protocol, answer } = await attach(socketProtocols(server.token));
    expect(protocol).toBe(WS_PROTOCOL);
    expect(answer).toMatchObject({ kind: 'result', id: 1, ok: true, result: { runs: [] } });
    await expect(attach(socketProtocols('wrong'))).rejects.toThrow(/401/);
    await expect(attach([WS_PROTOCOL])).rejects.toThrow(/401/);
    // A token with characters a subprotocol cannot carry still works: it is base64url-encoded.
    const other = await startServer({ engine: server.engine, port: 0, token: 'tøken with spaces/+=' });
    try {
      await expect(attach(socketProtocols('tøken with spaces/+='), {}, `${other.url.replace('http', 'ws')}/ws`)).resolves.toMatchObject({ protocol: WS_PROTOCOL });
    } finally {
      await other.close();
    }
  });

  it('lets the desktop app and the allowed pages attach; other origins, and tokens in a cross-origin URL, are refused', async () => {
    await expect(attach(socketProtocols(server.token), { origin: 'awe://app' })).resolves.toMatchObject({ protocol: WS_PROTOCOL });
    await expect(attach(socketProtocols(server.token), { origin: PAGE })).resolves.toMatchObject({ protocol: WS_PROTOCOL });
    await expect(attach(socketProtocols(server.token), { origin: 'http://127.0.0.1:49153' })).rejects.toThrow(/403/);
    await expect(attach(socketProtocols(server.token), { origin: 'http://evil.example' })).rejects.toThrow(/403/);
    await expect(attach(undefined, { origin: PAGE }, `${wsUrl()}?token=${server.token}`)).rejects.toThrow(/401/);
  });

  it('other origins reach the export downloads only, with the token in a header, after a CORS preflight', async () => {
    const preflight = await fetch(`${server.url}/api/runs/nope/export`, {
      method: 'OPTIONS',
      headers: { origin: PAGE, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe(PAGE);
    expect(preflight.headers.get('access-control-allow-headers')).toBe('Authorization');
    const download = await fetch(`${server.url}/api/runs/nope/export`, { headers: { origin: PAGE, authorization: `Bearer ${server.token}` } });
    expect(download.status).toBe(404); // through the checks, to the route: no such run
    expect(download.headers.get('access-control-allow-origin')).toBe(PAGE);
    const inUrl = await fetch(`${server.url}/api/runs/nope/export?token=${server.token}`, { headers: { origin: PAGE } });
    expect(inUrl.status).toBe(401);
    const elsewhere = await fetch(`${server.url}/api/runs`, { headers: { origin: PAGE, authorization: `Bearer ${server.token}` } });
    expect(elsewhere.status).toBe(403);
    const evil = await fetch(`${server.url}/api/runs/nope/export`, { method: 'OPTIONS', headers: { origin: 'http://evil.example' } });
    expect(evil.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('the UI’s CSP may connect to the team servers saved here, and to nothing else', async () => {
    const csp = async () => (await fetch(`${server.url}/`)).headers.get('content-security-policy') ?? '';
    expect(await csp()).toContain("connect-src 'self';");
    server.engine.teamServers.save('http://10.0.0.5:8787', 't');
    expect(await csp()).toContain("connect-src 'self' http://10.0.0.5:8787 ws://10.0.0.5:8787;");
    server.engine.teamServers.remove('http://10.0.0.5:8787');
    expect(await csp()).toContain("connect-src 'self';");
  });
});
