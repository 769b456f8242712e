// The page token awe serve puts in the URL: moved to sessionStorage, out of the address bar, into the socket's subprotocol and onto download links.
import { describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { createWebSocketApi, socketUrl, takePageToken, TOKEN_STORAGE_KEY } from './ws-client';

function fakeWindow(href: string) {
  const storage = new Map<string, string>();
  const win = {
    location: { href } as Location,
    history: { state: { keep: 1 }, replaceState: (_s: unknown, _t: string, url: string) => void (win.location = { href: new URL(url, href).href } as Location) } as unknown as History,
    sessionStorage: { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => void storage.set(k, v) } as Storage,
  };
  return { win, storage };
}

describe('the page token', () => {
  it('moves from the URL to sessionStorage and leaves the address bar; a reload finds it there', () => {
    const { win, storage } = fakeWindow('http://127.0.0.1:8787/runs/r1?token=s3cr%2Bt&x=1#n');
    expect(takePageToken(win)).toBe('s3cr+t');
    expect(win.location.href).toBe('http://127.0.0.1:8787/runs/r1?x=1#n');
    expect(storage.get(TOKEN_STORAGE_KEY)).toBe('s3cr+t');
    expect(takePageToken(win)).toBe('s3cr+t');
    expect(socketUrl({ protocol: 'http:', host: '127.0.0.1:8787' })).toBe('ws://127.0.0.1:8787/ws');
  });

  it('download URLs of the server carry the socket’s token', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise((r) => wss.once('listening', r));
    wss.on('connection', (ws) =>
      ws.on('message', (d) => {
        const m = JSON.parse(String(d));
        ws.send(JSON.stringify({ kind: 'result', id: m.id, ok: true, result: { url: '/api/runs/r1/export', fileName: 'run-r1.zip' } }));
      }),
    );
    const api = createWebSocketApi({ url: `ws://127.0.0.1:${(wss.address() as { port: number }).port}/ws`, token: 'abc' });
    try {
      expect(await api.runsExport({ runId: 'r1' })).toEqual({ url: '/api/runs/r1/export?token=abc', fileName: 'run-r1.zip' });
    } finally {
      api.close();
      wss.close();
    }
  });
});
