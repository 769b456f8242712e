/**
 * The layout Web Worker: ELK runs here, off the main thread, so the page keeps drawing
 * and answering clicks while a large graph is laid out. Protocol: `LayoutRequest` in,
 * `LayoutReply` out (layout-client.ts).
 */
import { layoutGraph, warmUpInput } from './layout';
import type { LayoutReply, LayoutRequest } from './layout-client';

interface WorkerScope {
  addEventListener(type: 'message', listener: (event: { data: LayoutRequest }) => void): void;
  postMessage(message: LayoutReply): void;
}
const scope = self as unknown as WorkerScope;

// Not `onmessage`: elk.bundled.js, finding itself in a worker, sets `self.onmessage` to its
// own dispatcher (it can serve as ELK's worker), and does so again when its first layout
// initialises it. A listener survives that; ELK's dispatcher ignores our messages (no `cmd`).
scope.addEventListener('message', ({ data }) => {
  layoutGraph(data.input).then(
    (positions) => scope.postMessage({ id: data.id, positions }),
    (e: unknown) => scope.postMessage({ id: data.id, error: e instanceof Error ? e.message : String(e) }),
  );
});

/**
 * Initialises ELK as soon as the worker starts (one layout of a tiny graph), so the first
 * real layout does not pay for it: 0.25–0.55 s on a 2-core machine, which is what opening a
 * two-node file without positions used to wait for. No more than that: warming the JIT
 * with a few mid-sized layouts made a 1,000-node layout faster by a margin lost in the
 * noise, and took the CPU from a large file being opened right after start-up (1,000
 * nodes drawn 2.6 s after Open instead of 1.2 s, bench/ui.ts at load ~6).
 */
layoutGraph(warmUpInput()).catch(() => undefined); // a real layout reports any failure of ELK itself
