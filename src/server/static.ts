/**
 * Serves the built renderer (out/renderer) to a browser: correct mime types, an
 * index.html fallback for client-side routes, a strict CSP, and no path outside the
 * folder, whatever the URL says.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, resolve } from 'node:path';
import { fileInside, mimeForName } from '../engine';
import { SECURITY_HEADERS } from './http';

export type StaticResult = 'served' | 'not-found' | 'forbidden';

/** `csp` is the page's Content-Security-Policy (it names the team servers the person added). */
export async function serveStatic(root: string, urlPath: string, res: ServerResponse, method: string, csp: string): Promise<StaticResult> {
  const target = fileInside(root, urlPath);
  if (!target) return 'forbidden';
  let file = target;
  let info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    // Client-side routes (no extension) get the app; missing assets get a 404.
    if (extname(urlPath) !== '') return 'not-found';
    file = join(resolve(root), 'index.html');
    info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) return 'not-found';
  }
  const type = mimeForName(file, { charset: true });
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    'Content-Length': info.size,
    'Content-Security-Policy': csp,
    // Hashed asset names can be cached; index.html must not be, or updates never arrive.
    'Cache-Control': file.endsWith('index.html') ? 'no-cache' : 'public, max-age=31536000, immutable',
  });
  if (method === 'HEAD') {
    res.end();
    return 'served';
  }
  await new Promise<void>((done) => {
    const stream = createReadStream(file);
    stream.on('error', () => {
      res.destroy();
      done();
    });
    stream.on('end', done);
    stream.pipe(res);
  });
  return 'served';
}
