/**
 * Error classification (DESIGN.md §4): transient errors are retried with backoff,
 * permanent ones fail at once. Tools throw `ToolError` to say which; anything else
 * is classified from its shape (HTTP status, Node error code, abort).
 */
import type { ApiError, ErrorClass, NodeError, Problem } from '../contract';

/** What a caller did wrong, in the API's own words (`internal` and `unknown-command` belong to the transports). */
export type EngineErrorCode = Exclude<ApiError['code'], 'internal' | 'unknown-command'>;

/**
 * An error the engine raises on purpose for its caller: a run, node or artifact that is
 * not there, a request that conflicts with a run's state, input that cannot be used, a
 * workflow that cannot run (with every problem). The transports answer it with the same
 * code; anything else the engine throws is an internal error.
 */
export class EngineError extends Error {
  readonly code: EngineErrorCode;
  readonly problems?: Problem[];

  constructor(code: EngineErrorCode, message: string, options?: { problems?: Problem[]; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EngineError';
    this.code = code;
    if (options?.problems) this.problems = options.problems;
  }
}

export const notFound = (message: string) => new EngineError('not-found', message);
export const conflict = (message: string) => new EngineError('conflict', message);
export const badRequest = (message: string) => new EngineError('bad-request', message);
/** A run another process owns, a node not waiting, a graph that changed: the caller may try again later. */
export const isConflict = (err: unknown): err is EngineError => err instanceof EngineError && err.code === 'conflict';

export class ToolError extends Error {
  readonly class: ErrorClass;
  readonly code: string;
  /** For 429s: the server asked us to wait this long before retrying. */
  readonly retryAfterMs?: number;

  constructor(errorClass: ErrorClass, code: string, message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ToolError';
    this.class = errorClass;
    this.code = code;
    this.retryAfterMs = options?.retryAfterMs;
  }
}

export const transient = (code: string, message: string, options?: { cause?: unknown; retryAfterMs?: number }) =>
  new ToolError('transient', code, message, options);
export const permanent = (code: string, message: string, options?: { cause?: unknown }) =>
  new ToolError('permanent', code, message, options);

const TRANSIENT_NODE_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/** Classifies any thrown value into the NodeError recorded on the node run. */
export function classifyError(err: unknown): NodeError & { retryAfterMs?: number } {
  if (err instanceof ToolError) {
    return { class: err.class, code: err.code, message: err.message, retryAfterMs: err.retryAfterMs };
  }
  if (err instanceof Error) {
    if (err.name === 'AbortError') return { class: 'cancelled', code: 'ABORTED', message: err.message || 'aborted' };
    if (err.name === 'TimeoutError') return { class: 'transient', code: 'TIMEOUT', message: err.message };
    const anyErr = err as Error & { status?: unknown; code?: unknown; cause?: unknown };
    if (typeof anyErr.status === 'number') return classifyHttpStatus(anyErr.status, err.message);
    if (typeof anyErr.code === 'string' && TRANSIENT_NODE_CODES.has(anyErr.code)) {
      return { class: 'transient', code: anyErr.code, message: err.message };
    }
    const cause = anyErr.cause as { code?: unknown } | undefined;
    if (cause && typeof cause.code === 'string' && TRANSIENT_NODE_CODES.has(cause.code)) {
      return { class: 'transient', code: cause.code, message: err.message };
    }
    return { class: 'permanent', code: 'ERROR', message: err.message || err.name };
  }
  return { class: 'permanent', code: 'ERROR', message: typeof err === 'string' ? err : JSON.stringify(err) ?? String(err) };
}

/** 408, 425, 429 and 5xx are worth retrying; other 4xx are not. */
export function classifyHttpStatus(status: number, message: string): NodeError {
  const transientStatus = status === 408 || status === 425 || status === 429 || status >= 500;
  return { class: transientStatus ? 'transient' : 'permanent', code: `HTTP_${status}`, message };
}
