/**
 * The `awe://app/` protocol the UI is loaded from (never file://): a standard, secure
 * scheme so the page gets a real origin, serving only files inside the built renderer
 * folder, each with a strict Content-Security-Policy.
 */
import { readFile } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';
import { protocol } from 'electron';
import { fileInside, mimeForName, uiCsp } from '../engine';
import { APP_HOST, APP_SCHEME } from './ipc';

export const APP_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** Must run before `app` is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

/** Maps an `awe://app/...` URL to a file inside `root`, or undefined when it is not ours. */
export function appFileFor(root: string, requestUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return undefined;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return undefined;
  return fileInside(root, url.pathname);
}

/** `connectSources`: the team servers the page may connect to (read per response: adding one takes a reload). */
export function serveAppProtocol(rendererDir: string, connectSources: () => readonly string[] = () => []): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = appFileFor(rendererDir, request.url);
    if (!file) return new Response('Not found', { status: 404 });
    // Client-side routes without an extension get the app itself.
    const target = extname(file) === '' ? join(resolve(rendererDir), 'index.html') : file;
    try {
      const body = await readFile(target);
      return new Response(body, {
        headers: {
          'Content-Type': mimeForName(target, { charset: true }),
          'Content-Security-Policy': uiCsp(connectSources()),
          'X-Content-Type-Options': 'nosniff',
        },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}
