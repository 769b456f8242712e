/**
 * Approval requests of the watched run, and what the person did with each: set aside (the
 * dialog closed, the request still waits), answered, or under review in the dialog. A
 * request that waits is always offered in the run header and the node's inspector, so
 * closing the dialog never strands a run.
 */
import { useMemo } from 'react';
import { useStore } from 'zustand';
import { createStore } from 'zustand/vanilla';
import type { RunView } from '../../contract';
import { errorMessage, getAwe } from '../api/client';
import { runsStore, uiStore, useRuns } from './stores';

export interface ApprovalRequest {
  /** Names this request (run, node, execution): a rerun that asks again is a new request. */
  key: string;
  runId: string;
  nodeId: string;
  message: string;
  tool?: string;
  input?: unknown;
}

interface ApprovalUi {
  /** Requests whose dialog the person closed without answering. */
  setAside: Record<string, true>;
  /** Requests answered from this window (hidden until the run moves on, shown again if the answer failed). */
  answered: Record<string, true>;
  /** The request the person asked to review; it opens the dialog even when set aside. */
  reviewing: string | null;
}

export const approvalStore = createStore<ApprovalUi>()(() => ({ setAside: {}, answered: {}, reviewing: null }));

/** The requests of the nodes the runs store lists as waiting on a person (it keeps that list per batch, not per node scan). */
export function requestsOf(runId: string, view: RunView | undefined, waiting: readonly string[]): ApprovalRequest[] {
  if (!view) return [];
  const out: ApprovalRequest[] = [];
  for (const nodeId of waiting) {
    const n = view.nodes[nodeId];
    if (n?.status !== 'waiting' || !n.approval) continue;
    out.push({ key: `${runId}|${nodeId}|${n.generation}|${n.attempts}`, runId, nodeId, ...n.approval });
  }
  return out;
}

const NOBODY: readonly string[] = [];

/**
 * The watched run's requests that still need an answer (always the live state, even while
 * replaying). Re-derived only when the set of waiting nodes changes, not on every status
 * batch of a run, so the dialog and the run header cost nothing per frame while a big run streams.
 */
export function usePendingApprovals(): ApprovalRequest[] {
  const runId = useRuns((s) => s.watchedRunId);
  const waiting = useRuns((s) => (s.watchedRunId ? (s.waiting[s.watchedRunId] ?? NOBODY) : NOBODY));
  const answered = useStore(approvalStore, (s) => s.answered);
  return useMemo(() => {
    if (!runId || !waiting.length) return [];
    return requestsOf(runId, runsStore.getState().views[runId], waiting).filter((r) => !answered[r.key]);
  }, [runId, waiting, answered]);
}

/** The request the dialog shows: the one under review, else the first not set aside. */
export function useDialogRequest(): ApprovalRequest | undefined {
  const pending = usePendingApprovals();
  const { setAside, reviewing } = useStore(approvalStore);
  return pending.find((r) => r.key === reviewing) ?? pending.find((r) => !setAside[r.key]);
}

/** Opens the dialog for a request (the "Review…" buttons). */
export function reviewApproval(key: string) {
  approvalStore.setState((s) => ({ reviewing: key, setAside: omit(s.setAside, key) }));
}

/** Closes the dialog without answering: the request keeps waiting and stays on offer elsewhere. */
export function setAsideApproval(key: string) {
  approvalStore.setState((s) => ({ reviewing: s.reviewing === key ? null : s.reviewing, setAside: { ...s.setAside, [key]: true } }));
}

export async function answerApproval(request: ApprovalRequest, approved: boolean, comment?: string) {
  approvalStore.setState((s) => ({ answered: { ...s.answered, [request.key]: true }, reviewing: s.reviewing === request.key ? null : s.reviewing }));
  try {
    await getAwe().runsApprove({ runId: request.runId, nodeId: request.nodeId, approved, comment });
  } catch (e) {
    // Offer it again: the run still waits for an answer.
    approvalStore.setState((s) => ({ answered: omit(s.answered, request.key) }));
    uiStore.getState().notify('error', `Could not answer the approval request: ${errorMessage(e)}`);
  }
}

/** The request a node of the watched run waits on, if any. */
export function usePendingApprovalOf(nodeId: string): ApprovalRequest | undefined {
  return usePendingApprovals().find((r) => r.nodeId === nodeId);
}

function omit(rec: Record<string, true>, key: string): Record<string, true> {
  if (!(key in rec)) return rec;
  const rest = { ...rec };
  delete rest[key];
  return rest;
}

