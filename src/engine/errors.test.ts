/**
 * Error classification (DESIGN.md §4) decides what is retried: a rate limit or a server
 * hiccup is transient, a bad request is permanent, a cancel is neither.
 */
import { describe, expect, it } from 'vitest';
import { classifyError, classifyHttpStatus, permanent, transient } from './errors';

/** As HTTP clients (the OpenAI SDK, fetch wrappers) throw them: an Error with `status`. */
const httpError = (status: number) => Object.assign(new Error(`HTTP ${status}`), { status });

describe('classifyHttpStatus', () => {
  it.each([408, 425, 429, 500, 502, 503, 504])('%i is transient', (status) => {
    expect(classifyHttpStatus(status, 'm')).toEqual({ class: 'transient', code: `HTTP_${status}`, message: 'm' });
  });
  it.each([400, 401, 403, 404, 409, 422])('%i is permanent', (status) => {
    expect(classifyHttpStatus(status, 'm')).toEqual({ class: 'permanent', code: `HTTP_${status}`, message: 'm' });
  });
});

describe('classifyError', () => {
  it('an error carrying an HTTP status is classified by it', () => {
    expect(classifyError(httpError(429))).toMatchObject({ class: 'transient', code: 'HTTP_429' });
    expect(classifyError(httpError(503))).toMatchObject({ class: 'transient', code: 'HTTP_503' });
    expect(classifyError(httpError(400))).toMatchObject({ class: 'permanent', code: 'HTTP_400' });
  });

  it('a ToolError keeps its class, code and Retry-After', () => {
    expect(classifyError(transient('HTTP_429', 'slow down', { retryAfterMs: 7000 }))).toEqual({ class: 'transient', code: 'HTTP_429', message: 'slow down', retryAfterMs: 7000 });
    expect(classifyError(permanent('BAD', 'no'))).toMatchObject({ class: 'permanent', code: 'BAD' });
  });

  it('aborts are cancellations, timeouts transient', () => {
    expect(classifyError(new DOMException('stop', 'AbortError'))).toMatchObject({ class: 'cancelled', code: 'ABORTED' });
    expect(classifyError(new DOMException('slow', 'TimeoutError'))).toMatchObject({ class: 'transient', code: 'TIMEOUT' });
  });

  it('connection loss is transient, also when it is the cause (as fetch reports it)', () => {
    expect(classifyError(Object.assign(new Error('reset'), { code: 'ECONNRESET' }))).toMatchObject({ class: 'transient', code: 'ECONNRESET' });
    expect(classifyError(new TypeError('fetch failed', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) }))).toMatchObject({
      class: 'transient',
      code: 'ECONNREFUSED',
    });
  });

  it('anything else is permanent', () => {
    expect(classifyError(new Error('boom'))).toEqual({ class: 'permanent', code: 'ERROR', message: 'boom' });
    expect(classifyError('text')).toEqual({ class: 'permanent', code: 'ERROR', message: 'text' });
    expect(classifyError({ odd: 1 })).toEqual({ class: 'permanent', code: 'ERROR', message: '{"odd":1}' });
  });
});
