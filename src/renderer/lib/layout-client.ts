/**
 * The main thread's side of the layout worker: posts a layout input, resolves with the
 * positions, and cancels by terminating the worker (ELK's layout is one synchronous call;
 * ending the thread is the only way to stop it). The next layout starts a fresh worker.
 * No ELK and no DOM here: the worker is made by the `spawn` it is given.
 */
import type { LayoutInput, Positions } from './layout-input';

export interface LayoutRequest {
  id: number;
  input: LayoutInput;
}

export type LayoutReply = { id: number; positions: Positions } | { id: number; error: string };

/** The part of a Web Worker the client uses (tests adapt a Node worker thread to it). */
export interface LayoutWorker {
  postMessage(message: LayoutRequest): void;
  terminate(): void;
  onmessage: ((event: { data: LayoutReply }) => void) | null;
  onerror: ((event: { message?: string }) => void) | null;
}

/** The layout was cancelled: nothing was applied. */
export class LayoutCancelled extends Error {
  constructor() {
    super('Layout cancelled');
    this.name = 'LayoutCancelled';
  }
}

export interface LayoutJob {
  /** The positions, or a rejection: `LayoutCancelled`, or an Error saying why the layout failed. */
  done: Promise<Positions>;
  /** Stops the layout now; `done` rejects with `LayoutCancelled`. No effect once it settled. */
  cancel(): void;
}

export interface LayoutClient {
  layout(input: LayoutInput): LayoutJob;
  /** Starts the worker now (it loads the layout library), so the first layout does not wait for it. */
  warm(): void;
  /** Ends the worker (and any layout in it). */
  dispose(): void;
}

export function createLayoutClient(spawn: () => LayoutWorker): LayoutClient {
  let worker: LayoutWorker | undefined;
  let nextId = 1;
  const pending = new Map<number, { resolve: (p: Positions) => void; reject: (e: Error) => void }>();

  const stop = (reason: () => Error) => {
    worker?.terminate();
    worker = undefined;
    const waiting = [...pending.values()];
    pending.clear();
    for (const p of waiting) p.reject(reason());
  };

  const ready = (): LayoutWorker => {
    if (worker) return worker;
    const w = spawn();
    w.onmessage = ({ data }) => {
      const p = pending.get(data.id);
      if (!p) return;
      pending.delete(data.id);
      if ('error' in data) p.reject(new Error(data.error));
      else p.resolve(data.positions);
    };
    // A worker that fails to load or crashes fails every layout waiting in it.
    w.onerror = (e) => {
      if (worker === w) stop(() => new Error(`The layout worker failed: ${e.message ?? 'unknown error'}`));
    };
    worker = w;
    return w;
  };

  return {
    layout(input) {
      const id = nextId++;
      const done = new Promise<Positions>((resolve, reject) => pending.set(id, { resolve, reject }));
      try {
        ready().postMessage({ id, input });
      } catch (e) {
        stop(() => (e instanceof Error ? e : new Error(String(e))));
      }
      return {
        done,
        cancel: () => {
          if (pending.has(id)) stop(() => new LayoutCancelled());
        },
      };
    },
    warm() {
      try {
        ready();
      } catch {
        // The first layout will try again and report the failure.
      }
    },
    dispose: () => stop(() => new LayoutCancelled()),
  };
}
