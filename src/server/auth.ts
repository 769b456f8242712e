/**
 * Who may talk to `awe serve`. A token is always required — loopback included, since any
 * local process (or a web page in the person's browser) can reach 127.0.0.1. Every API
 * request and WebSocket upgrade must carry it (`Authorization: Bearer` or `?token=`; a
 * browser cannot set headers on a WebSocket). The UI's static files load without it: they
 * hold no data, and the page then sends the token it was opened with. The Host and Origin
 * checks stop other web pages (DNS rebinding, cross-site requests and WebSocket hijacking)
 * from driving the engine through the person's browser.
 *
 * A team server is reached from other origins: the desktop app (`awe://app`, which no web
 * site can claim) and pages named with `--allow-origin`. Those may open the WebSocket and
 * download exports, nothing else, and only with the token in a header or subprotocol —
 * never in the URL, where it would land in their history and logs.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { dirname } from 'node:path';
import { tokenFromProtocols } from '../contract';

export function generateToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Writes the token where only the user can read it (0600), for scripts that talk to the server. */
export function writeTokenFile(file: string, token: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600); // the mode option is ignored when the file already exists
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

function sameSecret(given: string, expected: string): boolean {
  // Hash first so the comparison is constant-time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

export type AccessDecision = { ok: true } | { ok: false; status: 401 | 403; message: string };

export interface AccessPolicy {
  token: string;
  /** True when bound to a loopback address: then the Host header must name loopback too. */
  loopbackOnly: boolean;
  /** Origins other than the server's own that may use the cross-origin routes (exact `scheme://host[:port]`). */
  allowOrigins?: readonly string[];
}

/** The desktop app's origin (src/main/protocol.ts): always allowed to attach. */
export const DESKTOP_APP_ORIGIN = 'awe://app';

export function isAllowedOrigin(origin: string, policy: AccessPolicy): boolean {
  return origin === DESKTOP_APP_ORIGIN || (policy.allowOrigins ?? []).includes(origin);
}

/** The token a WebSocket client offered as a subprotocol (`awe.token.<base64url>`, see contract/wire.ts). */
function offeredToken(req: IncomingMessage): string | undefined {
  const header = req.headers['sec-websocket-protocol'];
  if (typeof header !== 'string') return undefined;
  return tokenFromProtocols(header.split(',').map((p) => p.trim()));
}

/** Checks Host, Origin and (for the API) the token of one request or WebSocket upgrade. */
export function checkAccess(req: IncomingMessage, url: URL, policy: AccessPolicy, opts: { api: boolean; crossOrigin?: boolean }): AccessDecision {
  const host = req.headers.host ?? '';
  const hostname = host.replace(/:\d+$/, '');
  if (policy.loopbackOnly && !isLoopbackHost(hostname)) {
    return { ok: false, status: 403, message: `Host "${host}" is not allowed: this server only answers requests addressed to localhost.` };
  }
  if (!opts.api) return { ok: true };
  const origin = req.headers.origin;
  if (origin === 'null') return { ok: false, status: 403, message: 'Requests from opaque origins are not allowed.' };
  let crossOrigin = false;
  if (origin !== undefined) {
    let originHost = '';
    try {
      originHost = new URL(origin).host;
    } catch {}
    crossOrigin = originHost !== host;
    const allowed = opts.crossOrigin === true && isAllowedOrigin(origin, policy);
    if (crossOrigin && !allowed) return { ok: false, status: 403, message: `Cross-origin requests from ${origin} are not allowed.` };
  }
  const header = req.headers.authorization;
  const bearer = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
  const inUrl = url.searchParams.get('token') ?? undefined;
  if (crossOrigin && bearer === undefined && inUrl !== undefined && offeredToken(req) === undefined) {
    return { ok: false, status: 401, message: `From ${origin}, send the token in "Authorization: Bearer" or the WebSocket subprotocol, not in the URL.` };
  }
  const given = bearer ?? offeredToken(req) ?? (crossOrigin ? undefined : inUrl);
  if (given === undefined) {
    return { ok: false, status: 401, message: 'A token is required: send "Authorization: Bearer <token>" or add ?token=<token> (awe serve prints the URL with it).' };
  }
  if (!sameSecret(given, policy.token)) return { ok: false, status: 401, message: 'The token is wrong.' };
  return { ok: true };
}
