/**
 * How a failed command reaches the renderer's code, whichever transport carried it: an
 * `AweCallError` with the ApiError's code and problems, rebuilt from the plain envelope
 * (the preload and the WebSocket both deliver `{ ok: false, error }`, never an Error).
 */
import { DispatchResult, type ApiError, type Problem } from '../../contract';

/** An API error as the engine reported it; `code` and `problems` come from the contract's ApiError. */
export class AweCallError extends Error {
  constructor(
    message: string,
    /** An ApiError code, or `disconnected` when the connection dropped before the answer. */
    readonly code: ApiError['code'] | 'disconnected',
    readonly problems?: Problem[],
  ) {
    super(message);
    this.name = 'AweCallError';
  }
}

export const callError = (error: ApiError): AweCallError => new AweCallError(error.message, error.code, error.problems);

/** The result of a DispatchResult, or its error thrown as an AweCallError. */
export function unwrapResult(answer: unknown): unknown {
  const parsed = DispatchResult.safeParse(answer);
  if (!parsed.success) throw new AweCallError('The engine answered with something that is not a result', 'internal');
  if (!parsed.data.ok) throw callError(parsed.data.error);
  return parsed.data.result;
}
