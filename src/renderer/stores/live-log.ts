/**
 * The watched run's event log as the timeline shows it: at once when the watched run
 * changes, and at most every `intervalMs` while it grows. Rows arriving every frame are too
 * fast to read, and re-laying out and painting the table once per status batch was half of
 * each long frame of a 2,000-node run (bench/ui.ts). The last change always arrives, and
 * the batch that ends the run at once: the log then agrees with the header's final status.
 */
import { TERMINAL_RUN_STATUSES } from '../../contract';
import { throttle } from '../lib/throttle';
import { EventLog } from './event-log';
import type { RunsState, RunsStore } from './runs';

export const watchedLog = (s: RunsState): EventLog => (s.watchedRunId ? (s.events[s.watchedRunId] ?? EventLog.empty) : EventLog.empty);

const ended = (s: RunsState) => {
  const status = s.watchedRunId ? s.views[s.watchedRunId]?.status : undefined;
  return !!status && TERMINAL_RUN_STATUSES.includes(status);
};

/** Calls `show` with the watched run's log now and as it changes (throttled); returns the unsubscribe. */
export function followWatchedLog(store: RunsStore, show: (log: EventLog) => void, intervalMs: number, now: () => number = () => performance.now()): () => void {
  const shown = throttle(() => show(watchedLog(store.getState())), intervalMs, now);
  shown.flush();
  const off = store.subscribe((s, prev) => {
    if (watchedLog(s) === watchedLog(prev)) return;
    if (s.watchedRunId !== prev.watchedRunId || (ended(s) && !ended(prev))) shown.flush();
    else shown.request();
  });
  return () => {
    off();
    shown.cancel();
  };
}
