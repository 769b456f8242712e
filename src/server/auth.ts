/**
 * Who may talk to `awe serve`. With a token, every HTTP request and WebSocket upgrade
 * must carry it (Authorization: Bearer, `?token=`, or the cookie set when the page was
 * opened with `?token=`). Without one the server only listens on loopback, and the
 * Host and Origin checks stop other web pages (DNS rebinding, cross-site POSTs) from
 * driving the engine through the person's browser.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const TOKEN_COOKIE = 'awe_token';

export function generateToken(): string {
  return randomBytes(24).toString('base64url');
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

function cookieToken(req: IncomingMessage): string | undefined {
  const cookie = req.headers.cookie;
  if (!cookie) return undefined;
  for (const part of cookie.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === TOKEN_COOKIE) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

export type AccessDecision = { ok: true; setCookie?: string } | { ok: false; status: 401 | 403; message: string };

export interface AccessPolicy {
  token?: string;
  /** True when bound to a loopback address: then the Host header must name loopback too. */
  loopbackOnly: boolean;
}

/** Checks Host, Origin and token for one request (HTTP or WebSocket upgrade). */
export function checkAccess(req: IncomingMessage, url: URL, policy: AccessPolicy, opts: { api: boolean }): AccessDecision {
  const host = req.headers.host ?? '';
  const hostname = host.replace(/:\d+$/, '');
  if (policy.loopbackOnly && !isLoopbackHost(hostname)) {
    return { ok: false, status: 403, message: `Host "${host}" is not allowed: this server only answers requests addressed to localhost.` };
  }
  const origin = req.headers.origin;
  if (opts.api && origin !== undefined && origin !== 'null') {
    let originHost = '';
    try {
      originHost = new URL(origin).host;
    } catch {}
    if (originHost !== host) return { ok: false, status: 403, message: `Cross-origin requests from ${origin} are not allowed.` };
  } else if (opts.api && origin === 'null') {
    return { ok: false, status: 403, message: 'Requests from opaque origins are not allowed.' };
  }
  if (!policy.token) return { ok: true };
  const header = req.headers.authorization;
  const bearer = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
  const query = url.searchParams.get('token') ?? undefined;
  const given = bearer ?? query ?? cookieToken(req);
  if (given === undefined) return { ok: false, status: 401, message: 'A token is required: send "Authorization: Bearer <token>" or add ?token=<token> to the URL.' };
  if (!sameSecret(given, policy.token)) return { ok: false, status: 401, message: 'The token is wrong.' };
  // A page opened with ?token= keeps working for its scripts, styles and WebSocket.
  return query !== undefined ? { ok: true, setCookie: `${TOKEN_COOKIE}=${encodeURIComponent(query)}; HttpOnly; SameSite=Strict; Path=/` } : { ok: true };
}
