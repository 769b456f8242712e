/**
 * Serves the built renderer (out/renderer) to a browser: correct mime types, an
 * index.html fallback for client-side routes, a strict CSP, and no path outside the
 * folder, whatever the URL says.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { extname, join, resolve, sep } from 'node:path';
import { SECURITY_HEADERS } from './http';

/** The browser UI's CSP: scripts only from us; the WebSocket and fetches to us only. */
export const WEB_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  // React Flow positions nodes with inline styles.
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'self'",
].join('; ');

export const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export type StaticResult = 'served' | 'not-found' | 'forbidden';

/**
 * Resolves a URL path inside `root`; undefined when it would escape (`..`, encoded
 * slashes, NUL bytes, absolute paths on Windows).
 */
export function resolveInside(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const base = resolve(root);
  const full = resolve(join(base, decoded));
  if (full !== base && !full.startsWith(base + sep)) return undefined;
  return full;
}

export async function serveStatic(root: string, urlPath: string, res: ServerResponse, method: string): Promise<StaticResult> {
  const target = resolveInside(root, urlPath === '/' ? '/index.html' : urlPath);
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
  const type = MIME_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    'Content-Length': info.size,
    'Content-Security-Policy': WEB_CSP,
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
