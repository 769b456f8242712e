/**
 * Runs the renderer's real layout worker module (src/renderer/lib/layout.worker.ts) in a
 * Node worker thread, with the Web Worker globals it and ELK use (`self.onmessage`,
 * `self.addEventListener('message')`, `self.postMessage`) mapped onto `parentPort`, as a
 * browser dispatches them: to the `onmessage` slot and to every listener.
 * Start it with `execArgv: ['--import', 'tsx']`.
 */
import { parentPort } from 'node:worker_threads';

let onmessage = null;
const listeners = [];
parentPort.on('message', (data) => {
  onmessage?.({ data });
  for (const l of listeners) l({ data });
});
globalThis.self = {
  get onmessage() {
    return onmessage;
  },
  set onmessage(fn) {
    onmessage = fn;
  },
  addEventListener: (type, fn) => type === 'message' && listeners.push(fn),
  postMessage: (message) => parentPort.postMessage(message),
};
await import('../../src/renderer/lib/layout.worker.ts');
