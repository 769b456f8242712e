/**
 * The layout Web Worker: ELK runs here, off the main thread, so the page keeps drawing
 * and answering clicks while a large graph is laid out. Protocol: `LayoutRequest` in,
 * `LayoutReply` out (layout-client.ts).
 */
import { layoutGraph, THOROUGH_UP_TO, warmUpInput } from './layout';
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
  requested = true;
  layoutGraph(data.input).then(
    (positions) => scope.postMessage({ id: data.id, positions }),
    (e: unknown) => scope.postMessage({ id: data.id, error: e instanceof Error ? e.message : String(e) }),
  );
});

/**
 * Warms ELK up as soon as the worker starts, so the first real layout does not pay for it:
 * its one-time initialisation (0.5–1 s on a 2-core machine, which is what opening a
 * two-node file without positions used to wait for), then a few small layouts with the
 * large-graph options, so the JIT has compiled the layered algorithm's hot paths (a cold
 * 1,000-node layout took about twice as long as a warm one, in this worker and in Node
 * alike). One step at a time, yielding between steps: a real request waits for one step
 * at most, and ends the warm-up.
 */
let requested = false;
const WARM_UP_STEPS = 8;
async function warmUp() {
  await layoutGraph(warmUpInput(1));
  for (let i = 0; i < WARM_UP_STEPS && !requested; i++) {
    await new Promise((resolve) => setTimeout(resolve, 0));
    if (!requested) await layoutGraph(warmUpInput(10), THOROUGH_UP_TO + 1);
  }
}
warmUp().catch(() => undefined); // a real layout reports any failure of ELK itself
