/**
 * The layout Web Worker: ELK runs here, off the main thread, so the page keeps drawing
 * and answering clicks while a large graph is laid out. Protocol: `LayoutRequest` in,
 * `LayoutReply` out (layout-client.ts).
 */
import { layoutGraph } from './layout';
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
