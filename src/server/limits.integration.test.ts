/**
 * Slow and numerous clients (issue 10, item 18): a socket that sends headers and then
 * trickles its body (or trickles its headers) is closed when the request deadline
 * passes, and connections and WebSocket clients beyond their caps are refused while the
 * server keeps answering /health. Real sockets on 127.0.0.1; short limits for the test.
 */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Engine } from '../engine/types';
import { startServer, type RunningServer, type ServerOptions } from './server';
import { makeTestEngine } from './test-engine.testkit';

let engine: Engine | undefined;
let server: RunningServer | undefined;
const sockets: Socket[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.destroy());
  await server?.close();
  await engine?.close();
  server = engine = undefined;
});

async function start(options: Partial<ServerOptions>): Promise<RunningServer> {
  engine = makeTestEngine();
  server = await startServer({ engine, port: 0, ...options });
  return server;
}

/** A raw socket that records what the server sends and when it closes. */
async function rawSocket(s: RunningServer) {
  const socket = connect({ host: '127.0.0.1', port: Number(new URL(s.url).port) });
  sockets.push(socket);
  let received = '';
  socket.on('data', (d) => (received += d.toString()));
  socket.on('error', () => undefined);
  const closed = new Promise<number>((done) => socket.once('close', () => done(Date.now())));
  await new Promise<void>((ok, fail) => (socket.once('connect', () => ok()), socket.once('error', fail)));
  return { socket, closed, received: () => received };
}

const health = (s: RunningServer) => fetch(`${s.url}/health`, { headers: { authorization: `Bearer ${s.token}` } }).then((r) => r.status);

describe('slow clients', () => {
  it('a socket that sends headers and then trickles its body is closed within the request timeout', async () => {
    const s = await start({ requestTimeoutMs: 600 });
    const { socket, closed, received } = await rawSocket(s);
    const started = Date.now();
    socket.write(
      `POST /api/commands/workflows.validate HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.token}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"workflow":"`,
    );
    const trickle = setInterval(() => socket.writable && socket.write('x'), 100);
    const at = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(-1), 5_000))]);
    clearInterval(trickle);
    expect(at, 'the socket was still open after 5 s').toBeGreaterThan(0);
    expect(at - started).toBeLessThan(3_000);
    expect(received()).toMatch(/^HTTP\/1\.1 408/);
    expect(await health(s)).toBe(200);
  });

  it('a socket that trickles its headers is closed too', async () => {
    const s = await start({ requestTimeoutMs: 600 });
    const { socket, closed } = await rawSocket(s);
    const started = Date.now();
    socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    const trickle = setInterval(() => socket.writable && socket.write('X-Slow: 1\r\n'), 100);
    const at = await Promise.race([closed, new Promise<number>((r) => setTimeout(() => r(-1), 5_000))]);
    clearInterval(trickle);
    expect(at).toBeGreaterThan(0);
    expect(at - started).toBeLessThan(3_000);
  });
});

describe('caps', () => {
  it('connections beyond the cap get 503 and are closed; open ones keep answering, and /health answers once some close', async () => {
    const s = await start({ maxConnections: 5 });
    const held = await Promise.all([1, 2, 3, 4].map(() => rawSocket(s)));
    const keepAlive = await rawSocket(s);
    const ask = (c: Awaited<ReturnType<typeof rawSocket>>) => {
      const before = c.received().length;
      c.socket.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${s.token}\r\n\r\n`);
      return expect.poll(() => c.received().slice(before), { timeout: 3_000 }).toMatch(/^HTTP\/1\.1 200[\s\S]*"ok":true/);
    };
    await ask(keepAlive);

    const refused = await rawSocket(s);
    await refused.closed;
    expect(refused.received()).toMatch(/^HTTP\/1\.1 503[\s\S]*Too many connections \(5\)/);
    // The server still serves the connections it has.
    await ask(keepAlive);

    held.forEach((h) => h.socket.destroy());
    await Promise.all(held.map((h) => h.closed));
    await expect.poll(() => health(s), { timeout: 3_000 }).toBe(200);
  });

  it('WebSocket clients beyond the cap are refused with 503 while /health answers', async () => {
    const s = await start({ maxWebSocketClients: 2 });
    const url = `${s.url.replace('http', 'ws')}/ws?token=${s.token}`;
    const open = () =>
      new Promise<WebSocket>((ok, fail) => {
        const ws = new WebSocket(url);
        ws.once('open', () => ok(ws));
        ws.once('unexpected-response', (_req, res) => fail(new Error(`refused with ${res.statusCode}`)));
        ws.once('error', fail);
      });
    const clients = [await open(), await open()];
    await expect(open()).rejects.toThrow(/503/);
    expect(await health(s)).toBe(200);
    clients[0].close();
    await new Promise((r) => clients[0].once('close', r));
    await expect.poll(async () => open().then((ws) => (ws.close(), true), () => false), { timeout: 3_000 }).toBe(true);
    clients[1].close();
  });
});
