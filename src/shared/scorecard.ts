/**
 * A run's scorecard (issue 13): its outcome and where it failed, wall time and critical
 * path, time waiting for a person, per-node latency, retries, tokens and cost by model,
 * cache hits and artifacts — computed from the run's events alone, like `foldRun`, so
 * the engine, the CLI, the run bundle and the renderer agree on every figure.
 */
import type { z } from 'zod';
import { artifactUrl, type Artifact, type EngineEvent, type NodeError, type NodeStatus, type Run, type RunStatus, type Scorecard, type ScorecardNode, type Usage } from '../contract';
import { buildGraph, type Graph } from './graph';
import { toolOf } from './kinds';

interface NodeTrack {
  status: NodeStatus;
  generation: number;
  startedAt?: number;
  finishedAt?: number;
  runningSince?: number;
  busyMs: number;
  attempts: number;
  retries: number;
  cached: boolean;
  usage: Usage;
}

const zeroUsage = (): Usage => ({ promptTokens: 0, completionTokens: 0, costUsd: 0 });
const ENDS_RUNNING = new Set<NodeStatus>(['retrying', 'waiting', 'succeeded', 'failed', 'cancelled', 'interrupted', 'stale', 'queued']);

/** The scorecard of `run` from its events (sorted by seq). Pure: no clock, no I/O. */
export function scorecard(run: Pick<Run, 'id' | 'workflowId' | 'workflowName' | 'snapshot' | 'status'>, events: readonly EngineEvent[]): Scorecard {
  const snapshot = run.snapshot;
  const tracks = new Map<string, NodeTrack>();
  const track = (id: string): NodeTrack => {
    let t = tracks.get(id);
    if (!t) tracks.set(id, (t = { status: 'pending', generation: 0, busyMs: 0, attempts: 0, retries: 0, cached: false, usage: zeroUsage() }));
    return t;
  };
  for (const n of snapshot.nodes) track(n.id);
  const approvals: Scorecard['approvals'] = [];
  const openApproval = new Map<string, Scorecard['approvals'][number]>();
  const retriesByCode: Record<string, number> = {};
  const byModel = new Map<string, { model: string; promptTokens: number; completionTokens: number; costUsd: number }>();
  const usage = zeroUsage();
  const deadLetters: string[] = [];
  const artifacts = new Map<string, Artifact>();
  let status: RunStatus = run.status;
  let startedAt: number | undefined;
  let finishedAt: number | undefined;
  let lastTs: number | undefined;
  let error: string | undefined;
  let retries = 0;
  let cacheHits = 0;

  for (const e of events) {
    lastTs = e.ts;
    switch (e.type) {
      case 'run.started':
        startedAt ??= e.ts;
        status = 'running';
        finishedAt = undefined;
        break;
      case 'run.status':
        status = e.status;
        if (e.status === 'running') finishedAt = undefined;
        break;
      case 'run.finished':
        status = e.status;
        finishedAt = e.ts;
        error = e.error;
        for (const open of openApproval.values()) open.waitMs = e.ts - open.requestedAt;
        break;
      case 'node.status': {
        const t = track(e.nodeId);
        const was = t.status;
        if (was === 'running' && t.runningSince !== undefined && ENDS_RUNNING.has(e.status)) {
          t.busyMs += e.ts - t.runningSince;
          t.runningSince = undefined;
        }
        if (e.generation !== t.generation) {
          t.generation = e.generation;
          t.startedAt = undefined;
        }
        if (e.status === 'running') {
          t.runningSince = e.ts;
          if (was !== 'waiting') t.attempts += 1;
          t.startedAt ??= e.ts;
          t.finishedAt = undefined;
        } else if (e.status === 'succeeded' || e.status === 'failed' || e.status === 'skipped' || e.status === 'cancelled') {
          t.finishedAt = e.ts;
          t.startedAt ??= e.ts;
          if (e.status === 'succeeded' && e.reason === 'cache') t.cached = true;
        } else if (e.status === 'stale' || e.status === 'queued') {
          if (e.status === 'stale') t.cached = false;
        }
        if (e.status === 'failed' && was !== 'failed') deadLetters.push(e.nodeId);
        if (e.status !== 'failed' && was === 'failed') deadLetters.splice(deadLetters.indexOf(e.nodeId), 1);
        t.status = e.status;
        break;
      }
      case 'node.output':
        if (e.cached) {
          cacheHits += 1;
          track(e.nodeId).cached = true;
        }
        break;
      case 'node.retry': {
        const key = e.error.code ?? e.error.class;
        retriesByCode[key] = (retriesByCode[key] ?? 0) + 1;
        retries += 1;
        track(e.nodeId).retries += 1;
        break;
      }
      case 'node.usage': {
        const u = e.usage;
        for (const into of [usage, track(e.nodeId).usage]) {
          into.promptTokens += u.promptTokens ?? 0;
          into.completionTokens += u.completionTokens ?? 0;
          into.costUsd += u.costUsd ?? 0;
        }
        const model = e.model ?? 'unknown';
        let m = byModel.get(model);
        if (!m) byModel.set(model, (m = { model, promptTokens: 0, completionTokens: 0, costUsd: 0 }));
        m.promptTokens += u.promptTokens ?? 0;
        m.completionTokens += u.completionTokens ?? 0;
        m.costUsd += u.costUsd ?? 0;
        break;
      }
      case 'approval.requested': {
        const a = { nodeId: e.nodeId, requestedAt: e.ts, waitMs: 0 };
        approvals.push(a);
        openApproval.set(e.nodeId, a);
        break;
      }
      case 'approval.resolved': {
        const a = openApproval.get(e.nodeId);
        if (a) {
          Object.assign(a, { resolvedAt: e.ts, waitMs: e.ts - a.requestedAt, approved: e.approved });
          openApproval.delete(e.nodeId);
        }
        break;
      }
      case 'artifact.created':
        artifacts.set(e.artifact.id, e.artifact);
        break;
      default:
        break;
    }
  }
  // Requests still open in an unfinished run wait until now, as far as the events know.
  if (finishedAt === undefined && lastTs !== undefined) for (const open of openApproval.values()) open.waitMs = lastTs - open.requestedAt;

  const graph = buildGraph(snapshot);
  const stages = stagesOf(graph);
  const nodes: ScorecardNode[] = snapshot.nodes.map((n) => {
    const t = track(n.id);
    const latencyMs = t.startedAt !== undefined && t.finishedAt !== undefined ? t.finishedAt - t.startedAt : 0;
    return {
      nodeId: n.id,
      ...(n.label ? { label: n.label } : {}),
      kind: n.kind,
      ...(toolOf(n) ? { tool: toolOf(n) } : {}),
      status: t.status,
      ...(t.startedAt !== undefined ? { startedAt: t.startedAt } : {}),
      ...(t.finishedAt !== undefined ? { finishedAt: t.finishedAt } : {}),
      latencyMs,
      busyMs: t.busyMs,
      attempts: t.attempts,
      retries: t.retries,
      cached: t.cached,
      usage: t.usage,
      stage: stages.get(n.id) ?? 1,
    };
  });

  const failed = deadLetters[0];
  const failedNode = failed !== undefined ? snapshot.nodes.find((n) => n.id === failed) : undefined;
  const failedError = failed !== undefined ? lastErrorOf(events, failed) : undefined;
  const end = finishedAt ?? lastTs;
  return {
    runId: run.id,
    workflowId: run.workflowId,
    ...(run.workflowName ? { workflowName: run.workflowName } : {}),
    status,
    ...(failed !== undefined
      ? { failure: { nodeId: failed, ...(failedNode?.label ? { label: failedNode.label } : {}), stage: stages.get(failed) ?? 1, ...(failedError ? { error: failedError } : {}) } }
      : {}),
    ...(error ? { error } : {}),
    ...(startedAt !== undefined ? { startedAt } : {}),
    ...(finishedAt !== undefined ? { finishedAt } : {}),
    wallMs: startedAt !== undefined && end !== undefined ? end - startedAt : 0,
    criticalPath: criticalPath(graph, new Map(nodes.map((n) => [n.nodeId, n.status === 'skipped' ? 0 : n.latencyMs]))),
    approvalWaitMs: approvals.reduce((sum, a) => sum + a.waitMs, 0),
    approvals,
    nodes,
    retries,
    retriesByCode,
    deadLetters,
    usage,
    byModel: [...byModel.values()].sort((a, b) => b.costUsd - a.costUsd || a.model.localeCompare(b.model)),
    cacheHits,
    artifacts: [...artifacts.values()].map((a) => ({ ...a, url: artifactUrl(a.id) })),
  };
}


function lastErrorOf(events: readonly EngineEvent[], nodeId: string): z.infer<typeof NodeError> | undefined {
  for (let i = events.length - 1; i >= 0; i--) {
    const e = events[i];
    if (e.type === 'node.status' && e.nodeId === nodeId && e.status === 'failed') return e.error;
  }
  return undefined;
}

/** Nodes in an order where every edge's source comes before its target (Kahn); nodes on a cycle are left out. */
function stagesOf({ order, parents: preds }: Graph): Map<string, number> {
  const stage = new Map<string, number>();
  for (const id of order) stage.set(id, 1 + Math.max(0, ...preds.get(id)!.map((p) => stage.get(p) ?? 0)));
  return stage;
}

/** The longest path by summed weight through the DAG (ties: the earliest node in document order). */
function criticalPath({ order, parents: preds }: Graph, weight: Map<string, number>): { nodeIds: string[]; ms: number } {
  const best = new Map<string, { ms: number; via?: string }>();
  for (const id of order) {
    let via: string | undefined;
    let before = 0;
    for (const p of preds.get(id)!) {
      const b = best.get(p)!.ms;
      if (via === undefined || b > before) {
        via = p;
        before = b;
      }
    }
    best.set(id, { ms: before + (weight.get(id) ?? 0), ...(via !== undefined ? { via } : {}) });
  }
  let last: string | undefined;
  for (const id of order) if (last === undefined || best.get(id)!.ms > best.get(last)!.ms) last = id;
  if (last === undefined) return { nodeIds: [], ms: 0 };
  const nodeIds: string[] = [];
  for (let at: string | undefined = last; at !== undefined; at = best.get(at)!.via) nodeIds.unshift(at);
  return { nodeIds, ms: best.get(last)!.ms };
}
