/**
 * `http.fetch`: one HTTP request from a workflow node. Only http/https, never the machine's
 * own or private network unless the user opted in, and the body is capped so a huge download
 * cannot blow up a run's storage.
 */
import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { permanent, transient } from '../../errors';
import type { ToolContext, ToolSpec } from '../types';

/** @default 5 MB */
export const DEFAULT_HTTP_MAX_BYTES = 5 * 1024 * 1024;
/** Redirects are followed by hand so every hop passes the address check. @default 5 */
const MAX_REDIRECTS = 5;

export const HttpFetchInput = z.object({
  url: z.string().min(1).describe('Absolute http:// or https:// URL.'),
  method: z.enum(['GET', 'POST']).default('GET'),
  headers: z.record(z.string(), z.string()).optional(),
  body: z.unknown().optional().describe('Request body: a string is sent as is, anything else as JSON.'),
  maxBytes: z.number().int().positive().max(100 * 1024 * 1024).default(DEFAULT_HTTP_MAX_BYTES).describe('Body size cap; the rest is cut and `truncated` set.'),
  timeoutMs: z.number().int().positive().optional().describe('Deadline for this request, on top of the node timeout.'),
});
export type HttpFetchInput = z.infer<typeof HttpFetchInput>;

export const HttpFetchOutput = z.object({
  status: z.number().int(),
  url: z.string().describe('The final URL after redirects.'),
  headers: z.record(z.string(), z.string()),
  contentType: z.string(),
  /** Textual bodies (text/*, XML, JS, …) and JSON bodies that failed to parse. */
  text: z.string().optional(),
  /** JSON bodies, parsed. */
  json: z.unknown().optional(),
  /** Other bodies (images, PDFs, …), base64-encoded. */
  base64: z.string().optional(),
  /** Body bytes received (at most `maxBytes`). */
  bytes: z.number().int().min(0),
  truncated: z.boolean(),
});
export type HttpFetchOutput = z.infer<typeof HttpFetchOutput>;

export interface HttpFetchOptions {
  /** Allow loopback, private and link-local addresses. @default process.env.AWE_HTTP_ALLOW_PRIVATE === '1' */
  allowPrivate?: boolean;
  /** Hosts (names or IPs) exempt from the private-address check. @default process.env.AWE_HTTP_ALLOW_HOSTS split on commas */
  allowHosts?: string[];
}

/** Addresses a workflow must not reach by default: the machine itself, the LAN, cloud metadata. */
const privateAddresses = (() => {
  const list = new BlockList();
  list.addSubnet('0.0.0.0', 8, 'ipv4');
  list.addSubnet('10.0.0.0', 8, 'ipv4');
  list.addSubnet('100.64.0.0', 10, 'ipv4');
  list.addSubnet('127.0.0.0', 8, 'ipv4');
  list.addSubnet('169.254.0.0', 16, 'ipv4');
  list.addSubnet('172.16.0.0', 12, 'ipv4');
  list.addSubnet('192.168.0.0', 16, 'ipv4');
  list.addAddress('::', 'ipv6');
  list.addAddress('::1', 'ipv6');
  list.addSubnet('fc00::', 7, 'ipv6');
  list.addSubnet('fe80::', 10, 'ipv6');
  return list;
})();

export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  return privateAddresses.check(address, family === 6 ? 'ipv6' : 'ipv4');
}

function effectiveOptions(options: HttpFetchOptions): Required<HttpFetchOptions> {
  const envHosts = (process.env.AWE_HTTP_ALLOW_HOSTS ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  return {
    allowPrivate: options.allowPrivate ?? process.env.AWE_HTTP_ALLOW_PRIVATE === '1',
    allowHosts: (options.allowHosts ?? envHosts).map((h) => h.toLowerCase()),
  };
}

function parseUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw permanent('BAD_URL', `'${raw}' is not an absolute URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw permanent('SCHEME_NOT_ALLOWED', `http.fetch only fetches http:// and https:// URLs, not '${url.protocol}' (${raw.slice(0, 100)})`);
  }
  return url;
}

/**
 * Resolves the host and refuses it when any of its addresses is private. A name that resolves
 * to a public address now and a private one at connect time (DNS rebinding) is not caught:
 * global fetch offers no hook to pin the address without the undici package.
 */
async function checkHost(url: URL, opts: Required<HttpFetchOptions>): Promise<void> {
  if (opts.allowPrivate) return;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (opts.allowHosts.includes(host) || opts.allowHosts.includes(url.host.toLowerCase())) return;
  let addresses: { address: string }[];
  try {
    addresses = isIP(host) ? [{ address: host }] : await lookup(host, { all: true, verbatim: true });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'ENOTFOUND') throw permanent('HOST_NOT_FOUND', `host '${host}' was not found`, { cause: err });
    throw transient(code ?? 'DNS_ERROR', `could not resolve host '${host}': ${(err as Error).message}`, { cause: err });
  }
  const blocked = addresses.find((a) => isPrivateAddress(a.address));
  if (blocked) {
    throw permanent(
      'PRIVATE_ADDRESS',
      `http.fetch refuses '${host}' (${blocked.address}): loopback, private and link-local addresses are blocked; ` +
        'set AWE_HTTP_ALLOW_HOSTS or AWE_HTTP_ALLOW_PRIVATE=1 to allow them',
    );
  }
}

/** Retry-After is either seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

async function readCapped(res: Response, maxBytes: number): Promise<{ data: Buffer; truncated: boolean }> {
  if (!res.body) return { data: Buffer.alloc(0), truncated: false };
  const reader = res.body.getReader();
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    const room = maxBytes - size;
    if (value.byteLength > room) {
      chunks.push(Buffer.from(value.buffer, value.byteOffset, room));
      size += room;
      truncated = true;
      await reader.cancel().catch(() => {});
      break;
    }
    chunks.push(Buffer.from(value.buffer, value.byteOffset, value.byteLength));
    size += value.byteLength;
  }
  return { data: Buffer.concat(chunks, size), truncated };
}

const isJsonType = (ct: string) => /\/([\w.-]+\+)?json\b/i.test(ct);
const isTextType = (ct: string) => ct === '' || /^text\//i.test(ct) || /(xml|javascript|ecmascript|x-www-form-urlencoded|yaml|csv)/i.test(ct);

function requestInit(input: HttpFetchInput, ctx: ToolContext, signal: AbortSignal): RequestInit {
  const headers = new Headers(input.headers);
  let body: string | undefined;
  if (input.method === 'POST') {
    if (input.body !== undefined) {
      body = typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
      if (typeof input.body !== 'string' && !headers.has('content-type')) headers.set('content-type', 'application/json');
    }
    // Retries and resumes re-send the same key, so servers that honour it apply a POST once.
    if (!headers.has('idempotency-key')) headers.set('idempotency-key', ctx.idempotencyKey);
  }
  return { method: input.method, headers, body, signal, redirect: 'manual' };
}

export function createHttpFetchTool(options: HttpFetchOptions = {}): ToolSpec<HttpFetchInput, HttpFetchOutput> {
  return {
    name: 'http.fetch',
    title: 'Fetch URL',
    description:
      'Send an HTTP GET or POST to a public http(s) URL and return status, headers and the body (parsed JSON, text or base64), capped at maxBytes.',
    version: '1',
    input: HttpFetchInput,
    output: HttpFetchOutput,
    effects: 'network',
    source: 'builtin',
    async run(input, ctx) {
      const opts = effectiveOptions(options);
      const signal = input.timeoutMs ? AbortSignal.any([ctx.signal, AbortSignal.timeout(input.timeoutMs)]) : ctx.signal;
      let url = parseUrl(input.url);
      let init = requestInit(input, ctx, signal);
      let res: Response;
      for (let hop = 0; ; hop++) {
        await checkHost(url, opts);
        try {
          res = await fetch(url, init);
        } catch (err) {
          if (ctx.signal.aborted) throw ctx.signal.reason ?? err;
          if ((err as Error).name === 'TimeoutError') {
            throw transient('TIMEOUT', `${input.method} ${url.href} took longer than ${input.timeoutMs} ms`, { cause: err });
          }
          const code = ((err as { cause?: { code?: string } }).cause?.code as string | undefined) ?? 'CONNECTION_FAILED';
          throw transient(code, `${input.method} ${url.href} failed: ${code} ${(err as { cause?: Error }).cause?.message ?? (err as Error).message}`, { cause: err });
        }
        const location = res.headers.get('location');
        if (res.status < 300 || res.status >= 400 || !location) break;
        await res.body?.cancel().catch(() => {});
        if (hop >= MAX_REDIRECTS) throw permanent('TOO_MANY_REDIRECTS', `${input.url} redirected more than ${MAX_REDIRECTS} times`);
        url = parseUrl(new URL(location, url).href);
        // 303 (and 301/302 for POST, as browsers do) turn into a GET without a body.
        if (res.status === 303 || ((res.status === 301 || res.status === 302) && init.method === 'POST')) {
          init = { ...init, method: 'GET', body: undefined };
        }
      }

      let data: Buffer;
      let truncated: boolean;
      try {
        ({ data, truncated } = await readCapped(res, input.maxBytes));
      } catch (err) {
        if (ctx.signal.aborted) throw ctx.signal.reason ?? err;
        if ((err as Error).name === 'TimeoutError') {
          throw transient('TIMEOUT', `reading the body of ${url.href} took longer than ${input.timeoutMs} ms`, { cause: err });
        }
        throw transient('BODY_READ_FAILED', `reading the body of ${url.href} failed: ${(err as Error).message}`, { cause: err });
      }
      const contentType = res.headers.get('content-type') ?? '';

      if (!res.ok) {
        const snippet = data.subarray(0, 300).toString('utf8').trim();
        const message = `${init.method} ${url.href} returned ${res.status} ${res.statusText}${snippet ? `: ${snippet}` : ''}`;
        const transientStatus = res.status === 408 || res.status === 425 || res.status === 429 || res.status >= 500;
        if (transientStatus) throw transient(`HTTP_${res.status}`, message, { retryAfterMs: parseRetryAfter(res.headers.get('retry-after')) });
        throw permanent(`HTTP_${res.status}`, message);
      }

      const out: HttpFetchOutput = {
        status: res.status,
        url: url.href,
        headers: Object.fromEntries(res.headers),
        contentType,
        bytes: data.byteLength,
        truncated,
      };
      if (isJsonType(contentType) && !truncated) {
        try {
          out.json = JSON.parse(data.toString('utf8'));
        } catch {
          out.text = data.toString('utf8');
        }
      } else if (isJsonType(contentType) || isTextType(contentType)) {
        out.text = data.toString('utf8');
      } else {
        out.base64 = data.toString('base64');
      }
      ctx.log('info', `${init.method} ${url.href} → ${res.status} (${data.byteLength} bytes${truncated ? ', truncated' : ''})`);
      return out;
    },
  };
}

/** The registered tool; reads the allow settings from the environment at each call. */
export const httpFetchTool = createHttpFetchTool();
