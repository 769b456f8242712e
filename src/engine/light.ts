/**
 * The engine's light entry: what the store holds (runs, their events and views), read without
 * the machinery that executes runs. `awe runs` and `awe show` open only this, so they load the
 * store and the fold, not the planner, LLM client, MCP, queue, tracing or metrics libraries
 * that `createEngine` (src/engine/index.ts) brings. Other layers import the engine through
 * this file or index.ts only (an ESLint rule holds it).
 */
import { resolve } from 'node:path';
import { stderrLogger, type EngineLogger } from './observe/logger';
import { storedRunView } from './store/run-view';
import { Store } from './store/store';
import type { Engine } from './types';

export { stderrLogger };

/** The engine's read-only questions about runs, answered from the data folder as it is now. */
export interface RunReader extends Pick<Engine, 'dataDir' | 'getRun' | 'listRuns' | 'runView' | 'nodeRuns' | 'events'> {
  close(): void;
}

export function openRunReader(options: { dataDir: string; logger?: EngineLogger }): RunReader {
  const dataDir = resolve(options.dataDir);
  const store = Store.open(dataDir, options.logger ?? stderrLogger);
  return {
    dataDir,
    getRun: (runId) => store.getRun(runId),
    listRuns: (filter) => store.listRuns(filter),
    runView: (runId) => storedRunView(store, runId),
    nodeRuns: (runId) => store.nodeRuns(runId),
    events: (runId, afterSeq, limit) => store.events(runId, afterSeq, limit),
    close: () => store.close(),
  };
}
