/**
 * How long the scheduler may keep the event loop to itself. Nodes with no I/O (pure
 * tools, conditions, outputs) settle in microtasks, so a chain of them would never let
 * the loop reach its check phase: the event log's per-tick flush (setImmediate) would
 * not run until the whole run was over, subscribers would see nothing meanwhile and a
 * killed process would lose everything. The scheduler asks `mustYield()` before starting
 * a node and, when it says so, resumes in a setImmediate queued after that flush.
 *
 * The clock is process-wide (the loop is), measured from the last time the loop got
 * through its check phase, so runs doing real I/O (which turn the loop anyway) are
 * never made to hop.
 */

/** Longest stretch without the loop turning. One batch per ~10 ms keeps the UI live and transactions large. @default 10 ms */
export const YIELD_AFTER_MS = 10;
/**
 * Node starts allowed in one stretch, whatever the clock says: bounds a batch's size
 * (and what a crash can lose) on fast machines, and makes the yield happen in tests
 * independent of speed. @default 512
 */
export const YIELD_AFTER_STARTS = 512;

let stretchStart = 0;
let startsInStretch = 0;
let watching = false;

const loopTurned = (): void => {
  watching = false;
};

/**
 * Counts one node start; true when the caller should defer it to a later turn of the
 * loop (setImmediate). Cheap enough to call for every node.
 */
export function mustYield(): boolean {
  if (!watching) {
    // The check phase ran since we last looked: a new stretch begins now.
    watching = true;
    setImmediate(loopTurned);
    stretchStart = performance.now();
    startsInStretch = 0;
  }
  if (++startsInStretch > YIELD_AFTER_STARTS) return true;
  return performance.now() - stretchStart >= YIELD_AFTER_MS;
}
