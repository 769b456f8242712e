/**
 * Small HTTP helpers for the headless server: bounded JSON bodies and typed error
 * answers, so a bad request is always a 4xx with a message and never a crash.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MAX_MESSAGE_BYTES, type ApiError } from '../contract';
import { MAX_WORKFLOW_NESTING, scanJson } from '../engine';

/** Requests larger than this are refused with 413 (the limit). */
export const MAX_BODY_BYTES = MAX_MESSAGE_BYTES;
/**
 * Deeper JSON is refused before parsing: recursive validators would overflow the stack.
 * A workflow may nest as deep as a file may; the request wrappers add a few levels.
 */
export const MAX_BODY_NESTING = MAX_WORKFLOW_NESTING + 4;

/** Parses a request's JSON text after the linear depth and syntax scan. */
export function parseJsonText(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  const scan = scanJson(text, MAX_BODY_NESTING);
  if (scan.maxDepth > MAX_BODY_NESTING) return { ok: false, message: `The JSON is nested ${scan.maxDepth} levels deep; the limit is ${MAX_BODY_NESTING}.` };
  if (scan.error) return { ok: false, message: `The JSON is not valid: ${scan.error.message}` };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    return { ok: false, message: `The JSON is not valid: ${(err as Error).message}` };
  }
}

export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly error: ApiError,
  ) {
    super(error.message);
  }
}

/** The HTTP status for each ApiError code. */
export function statusFor(code: ApiError['code']): number {
  switch (code) {
    case 'bad-request':
      return 400;
    case 'forbidden':
      return 403;
    case 'not-found':
    case 'unknown-command':
      return 404;
    case 'conflict':
      return 409;
    case 'invalid-workflow':
      return 422;
    default:
      return 500;
  }
}

/** Headers every answer carries: no sniffing, no framing, no referrer leaks. */
export const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.end();
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

export function sendError(res: ServerResponse, status: number, error: ApiError): void {
  sendJson(res, status, { error });
}

/** Reads a body's bytes, refusing one over `limit` (413) as soon as it says or shows it is. */
export async function readBytesBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Reads and parses a JSON body; an empty body is `{}`. */
export async function readJsonBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const text = (await readBytesBody(req, limit)).toString('utf8').trim();
  if (text === '') return {};
  const parsed = parseJsonText(text);
  if (!parsed.ok) throw new HttpError(400, { code: 'bad-request', message: `The request body: ${parsed.message}` });
  return parsed.value;
}

function tooLarge(limit: number): HttpError {
  return new HttpError(413, { code: 'bad-request', message: `The request body is larger than ${Math.round(limit / 1024 / 1024)} MB.` });
}
