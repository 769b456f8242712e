/**
 * `http.fetch`: one HTTP request from a workflow node. Only http/https, never the machine's
 * own or private network unless the user opted in, and the body is capped so a huge download
 * cannot blow up a run's storage.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { z } from 'zod';
import { permanent, ToolError, transient } from '../../errors';
import type { ToolContext, ToolSpec } from '../types';
import { checkedLookup, dnsError, isPrivateAddress, privateAddressError, systemResolver, type HostResolver } from './http-address';

export { isPrivateAddress };

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
  /** Resolves host names; the connection goes to the addresses it returned, once checked. @default dns.lookup */
  resolve?: HostResolver;
}

function effectiveOptions(options: HttpFetchOptions): Required<HttpFetchOptions> {
  const envHosts = (process.env.AWE_HTTP_ALLOW_HOSTS ?? '').split(',').map((h) => h.trim()).filter(Boolean);
  return {
    resolve: options.resolve ?? systemResolver,
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

/** Whether the address check applies to `url`'s host; a literal IP is checked here (no lookup happens for it). */
function mustCheck(url: URL, opts: Required<HttpFetchOptions>): boolean {
  if (opts.allowPrivate) return false;
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (opts.allowHosts.includes(host) || opts.allowHosts.includes(url.host.toLowerCase())) return false;
  if (isIP(host) && isPrivateAddress(host)) throw privateAddressError(host, host);
  return true;
}

interface RawResponse {
  status: number;
  statusText: string;
  headers: Headers;
  /** Decoded (gunzipped, …) body. */
  body: Readable;
  /** Drops the body and the connection (a decoder's end does not close the socket under it). */
  close(): void;
}

const DECODERS: Record<string, (() => NodeJS.ReadWriteStream) | undefined> = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};

/**
 * One request over node:http(s) whose socket connects only to addresses `checkedLookup` let
 * through: global fetch resolves names itself, so a check made before it could be rebound.
 * No connection reuse: a pooled socket would skip the lookup.
 */
function send(url: URL, init: RequestInit & { headers: Headers }, signal: AbortSignal, opts: Required<HttpFetchOptions>): Promise<RawResponse> {
  const checked = mustCheck(url, opts);
  const headers = new Headers(init.headers);
  if (!headers.has('accept-encoding')) headers.set('accept-encoding', 'gzip, deflate, br');
  if (!headers.has('user-agent')) headers.set('user-agent', 'awe-http-fetch');
  const body = typeof init.body === 'string' ? Buffer.from(init.body, 'utf8') : undefined;
  if (body) headers.set('content-length', String(body.byteLength));
  return new Promise((resolve, reject) => {
    const request = (url.protocol === 'https:' ? https : http).request(
      url,
      { method: init.method, headers: Object.fromEntries(headers), signal, agent: false, lookup: checkedLookup(opts.resolve, checked) },
      (res) => {
        const responseHeaders = new Headers();
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) responseHeaders.set(name, Array.isArray(value) ? value.join(', ') : value);
        }
        const encoding = (res.headers['content-encoding'] ?? '').trim().toLowerCase();
        const decode = DECODERS[encoding];
        const decoded: Readable = decode ? (res.pipe(decode()) as unknown as Readable) : res;
        if (decode) {
          res.on('error', (err) => decoded.destroy(err));
          responseHeaders.delete('content-encoding');
          responseHeaders.delete('content-length');
        }
        const close = () => {
          decoded.destroy();
          res.destroy();
        };
        resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? '', headers: responseHeaders, body: decoded, close });
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

/** Retry-After is either seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value.trim());
  if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

async function readCapped(res: RawResponse, maxBytes: number, signal: AbortSignal): Promise<{ data: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  let truncated = false;
  const onAbort = () => res.body.destroy(signal.reason instanceof Error ? signal.reason : new Error(String(signal.reason)));
  if (signal.aborted) onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      const room = maxBytes - size;
      if (chunk.byteLength > room) {
        chunks.push(chunk.subarray(0, room));
        size += room;
        truncated = true;
        break;
      }
      chunks.push(chunk);
      size += chunk.byteLength;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
    res.close();
  }
  return { data: Buffer.concat(chunks, size), truncated };
}

const isJsonType = (ct: string) => /\/([\w.-]+\+)?json\b/i.test(ct);
const isTextType = (ct: string) => ct === '' || /^text\//i.test(ct) || /(xml|javascript|ecmascript|x-www-form-urlencoded|yaml|csv)/i.test(ct);

function requestInit(input: HttpFetchInput, ctx: ToolContext): RequestInit & { headers: Headers } {
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
  return { method: input.method, headers, body };
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
      let init = requestInit(input, ctx);
      let res: RawResponse;
      for (let hop = 0; ; hop++) {
        try {
          res = await send(url, init, signal, opts);
        } catch (err) {
          if (err instanceof ToolError) throw err;
          if (ctx.signal.aborted) throw ctx.signal.reason ?? err;
          if (signal.aborted) throw transient('TIMEOUT', `${input.method} ${url.href} took longer than ${input.timeoutMs} ms`, { cause: err });
          const code = (err as { code?: string }).code;
          if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') throw dnsError(url.hostname, err);
          throw transient(code ?? 'CONNECTION_FAILED', `${input.method} ${url.href} failed: ${code ?? ''} ${(err as Error).message}`.replace(/ {2}/, ' '), { cause: err });
        }
        const location = res.headers.get('location');
        if (res.status < 300 || res.status >= 400 || !location) break;
        res.close();
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
        ({ data, truncated } = await readCapped(res, input.maxBytes, signal));
      } catch (err) {
        if (ctx.signal.aborted) throw ctx.signal.reason ?? err;
        if (signal.aborted) {
          throw transient('TIMEOUT', `reading the body of ${url.href} took longer than ${input.timeoutMs} ms`, { cause: err });
        }
        throw transient('BODY_READ_FAILED', `reading the body of ${url.href} failed: ${(err as Error).message}`, { cause: err });
      }
      const contentType = res.headers.get('content-type') ?? '';

      if (!(res.status >= 200 && res.status < 300)) {
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
