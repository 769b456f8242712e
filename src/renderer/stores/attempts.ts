/**
 * Executions of a node (start, end, outcome, error), derived from its events by one step
 * function. The runs store applies it to each event as the event arrives, so the
 * inspector reads a node's attempts without scanning the run's log; `attemptsOf` folds
 * the same step over a log (time travel, tests), so both always agree.
 */
import type { EngineEvent } from '../../contract';

export interface AttemptRecord {
  generation: number;
  attempt: number;
  startedAt: number;
  finishedAt?: number;
  status: string;
  error?: string;
  cached?: boolean;
}

/** One node's attempts so far, and which of them is still open (running or waiting), -1 if none. */
export interface NodeAttempts {
  readonly list: readonly AttemptRecord[];
  readonly open: number;
}

const NONE: NodeAttempts = { list: [], open: -1 };

/** Whether an event changes the attempts of the node it names. */
export function affectsAttempts(e: EngineEvent): e is Extract<EngineEvent, { type: 'node.status' | 'node.output' }> {
  return e.type === 'node.status' || (e.type === 'node.output' && e.cached);
}

/**
 * The node's attempts after `e` (an event of that node). Copy on write: the result is a new
 * object when anything changed, and `prev` and its records are never mutated, so a
 * component holding the old value does not see it change under it.
 */
export function stepAttempts(prev: NodeAttempts = NONE, e: EngineEvent): NodeAttempts {
  if (e.type === 'node.output') {
    if (!e.cached) return prev;
    return { list: [...prev.list, { generation: e.generation, attempt: 0, startedAt: e.ts, finishedAt: e.ts, status: 'succeeded', cached: true }], open: prev.open };
  }
  if (e.type !== 'node.status') return prev;
  const open = prev.open >= 0 ? prev.list[prev.open] : undefined;
  const replaceOpen = (rec: AttemptRecord, stillOpen: boolean): NodeAttempts => {
    const list = prev.list.slice();
    list[prev.open] = rec;
    return { list, open: stillOpen ? prev.open : -1 };
  };
  if (e.status === 'running') {
    // Coming back from an approval wait continues the same execution.
    if (open && open.status === 'waiting') return replaceOpen({ ...open, status: 'running' }, true);
    return { list: [...prev.list, { generation: e.generation, attempt: e.attempt, startedAt: e.ts, status: 'running' }], open: prev.list.length };
  }
  if (!open) return prev;
  if (e.status === 'waiting') return replaceOpen({ ...open, status: 'waiting' }, true);
  return replaceOpen({ ...open, status: e.status, finishedAt: e.ts, error: e.error?.message }, false);
}

/** A node's attempts folded from a log (in seq order), up to a seq for time travel. */
export function attemptsOf(events: Iterable<EngineEvent>, nodeId: string, uptoSeq = Infinity): AttemptRecord[] {
  let acc: NodeAttempts = NONE;
  for (const e of events) {
    if (e.seq > uptoSeq) break;
    if ('nodeId' in e && e.nodeId === nodeId && affectsAttempts(e)) acc = stepAttempts(acc, e);
  }
  return acc.list as AttemptRecord[];
}

/** Every node's attempts folded from a log up to a seq (one pass; time travel). */
export function allAttemptsOf(events: Iterable<EngineEvent>, uptoSeq = Infinity): Map<string, NodeAttempts> {
  const out = new Map<string, NodeAttempts>();
  for (const e of events) {
    if (e.seq > uptoSeq) break;
    if (affectsAttempts(e)) out.set(e.nodeId, stepAttempts(out.get(e.nodeId), e));
  }
  return out;
}
