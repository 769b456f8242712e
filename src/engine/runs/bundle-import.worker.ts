/**
 * Worker-thread side of the run import (run-import.ts): opens and checks one bundle
 * (bundle-import.ts), sends back its ids, names and the artifacts' bytes (moved, not copied),
 * then records it as the importing thread planned, in one transaction on a connection of its own.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { EngineError } from '../errors';
import type { EngineLogger } from '../observe/logger';
import { Store } from '../store/store';
import { openRunBundle, type BundleLimits, type OpenedBundle } from './bundle-import';
import { recordBundle, summaryOf, type RecordPlan, type WorkerMessage } from './run-import';

const port = parentPort!;
const { zip, limits, dataDir } = workerData as { zip: Uint8Array; limits: BundleLimits; dataDir: string };
const send = (message: WorkerMessage, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer);
// An EngineError's code (bad-request: a refused bundle) must survive the trip; structured clone keeps only message and name.
const failed = (err: unknown) => send({ type: 'failed', code: err instanceof EngineError ? err.code : undefined, message: (err as Error).message });
const logger: EngineLogger = {
  info: (message) => send({ type: 'log', level: 'info', message }),
  warn: (message) => send({ type: 'log', level: 'warn', message }),
  error: (message) => send({ type: 'log', level: 'error', message }),
};

let bundle: OpenedBundle | undefined;
try {
  bundle = openRunBundle(zip, limits);
  const summary = summaryOf(bundle);
  send({ type: 'opened', summary, ...(bundle.exportedFrom ? { exportedFrom: bundle.exportedFrom } : {}) }, [...new Set(summary.artifacts.map((a) => a.bytes.buffer as ArrayBuffer))]);
} catch (err) {
  failed(err);
}

port.once('message', (plan: RecordPlan) => {
  try {
    const store = Store.open(dataDir, logger);
    try {
      recordBundle(store, bundle!, plan);
    } finally {
      store.close();
    }
    send({ type: 'recorded' });
  } catch (err) {
    failed(err);
  }
});
