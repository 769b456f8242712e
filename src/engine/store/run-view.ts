/**
 * A stored run's view: its events folded as every reader folds them. The engine answers with
 * this for runs it is not executing; `awe show` (src/engine/light.ts) answers with it alone.
 */
import type { RunView } from '../../contract';
// The fold alone, not the contract's index: that builds every zod schema when loaded.
import { foldRun } from '../../contract/fold';
import type { Store } from './store';

export function storedRunView(store: Store, runId: string): RunView | undefined {
  const record = store.runRecord(runId);
  if (!record) return undefined;
  return foldRun(runId, store.events(runId), Infinity, record.run.snapshot.nodes.map((n) => n.id));
}
