/**
 * Validation of large documents on a worker thread, so `awe serve` keeps answering while
 * a 100,000-node document is checked (one 3 MB request used to block it for 13 s).
 * Bounded in time: past `timeoutMs` the worker is stopped and the caller gets a clear error.
 * Where no worker can be started (a bundle without the worker file) it validates in place.
 */
import { startWorker } from '../worker-thread';
import { catalogOf } from './validate-catalog';
import { validateWorkflow, type ToolLookup, type ValidationResult } from './validate';
import { badRequest } from '../errors';

/** Documents with more nodes (or edges) than this go to a worker. @default 2000 */
export const OFF_THREAD_MIN_ITEMS = 2000;
/** Longest a validation may take on the worker. @default 60 s */
export const DEFAULT_VALIDATE_TIMEOUT_MS = 60_000;

export interface OffThreadOptions {
  timeoutMs?: number;
  /** Validate on a worker whatever the size (tests). */
  always?: boolean;
}

const sizeOf = (doc: unknown) => {
  const d = doc as { nodes?: unknown; edges?: unknown } | null;
  return Math.max(Array.isArray(d?.nodes) ? d.nodes.length : 0, Array.isArray(d?.edges) ? d.edges.length : 0);
};

export function validateOffThread(doc: unknown, tools: ToolLookup, options: OffThreadOptions = {}): Promise<ValidationResult> {
  if (!options.always && sizeOf(doc) <= OFF_THREAD_MIN_ITEMS) return Promise.resolve(validateWorkflow(doc, tools));
  const timeoutMs = options.timeoutMs ?? DEFAULT_VALIDATE_TIMEOUT_MS;
  const worker = startWorker(import.meta.url, './validate.worker', { doc, catalog: catalogOf(tools) });
  if (!worker) return Promise.resolve(validateWorkflow(doc, tools));
  return new Promise<ValidationResult>((resolve, reject) => {
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      fn();
    };
    const timer = setTimeout(
      () =>
        settle(() =>
          reject(
            // A request the server will not finish: answered as a bad request, with what to do.
            badRequest(`validating the workflow took longer than ${timeoutMs} ms (${sizeOf(doc)} nodes); split it into smaller workflows`),
          ),
        ),
      timeoutMs,
    );
    worker.once('message', (result: ValidationResult) => settle(() => resolve(result)));
    worker.once('error', (err) => settle(() => reject(err)));
    worker.once('exit', (code) => settle(() => reject(new Error(`the validation worker stopped (exit code ${code})`))));
  });
}
