/**
 * Keeps `runs.status` and `node_runs` in step with the event log. Called inside the
 * transaction that appends the events, so the projection and the log never disagree.
 */
import type { EngineEvent } from '../../contract';
import type { SqliteDatabase } from './db';

const TERMINAL = new Set(['succeeded', 'failed', 'skipped', 'cancelled', 'retrying']);

export class NodeRunProjection {
  private readonly runStatus;
  private readonly runFinished;
  private readonly runReopened;
  private readonly nodeStarted;
  private readonly nodeChanged;
  private readonly nodeTouched;
  private readonly nodeOutput;
  private readonly nodeUsage;
  private readonly latestAttempt;
  /** runId → nodeId → the execution (generation, attempt) that outputs and usage belong to. */
  private readonly current = new Map<string, Map<string, { generation: number; attempt: number }>>();

  constructor(db: SqliteDatabase) {
    this.runStatus = db.prepare('UPDATE runs SET status = ? WHERE id = ?');
    this.runFinished = db.prepare('UPDATE runs SET status = ?, finished_at = ? WHERE id = ?');
    this.runReopened = db.prepare(`UPDATE runs SET status = 'running', finished_at = NULL WHERE id = ?`);
    this.nodeStarted = db.prepare(`
      INSERT INTO node_runs (run_id, node_id, generation, attempt, status, reason, input, started_at)
      VALUES (?, ?, ?, ?, 'running', ?, ?, ?)
      ON CONFLICT DO UPDATE SET status = 'running', reason = coalesce(excluded.reason, reason),
        input = coalesce(excluded.input, input), finished_at = NULL`);
    // A node may finish without having run (a cache hit, an input that failed to resolve):
    // that still is one execution and gets its row.
    this.nodeChanged = db.prepare(`
      INSERT INTO node_runs (run_id, node_id, generation, attempt, status, reason, error, started_at, finished_at)
      VALUES (@runId, @nodeId, @generation, @attempt, @status, @reason, @error, @ts, @finishedAt)
      ON CONFLICT DO UPDATE SET status = excluded.status, reason = coalesce(excluded.reason, reason),
        error = coalesce(excluded.error, error), finished_at = excluded.finished_at`);
    // Only an unfinished execution is changed by a node-level status.
    this.nodeTouched = db.prepare(`
      UPDATE node_runs SET status = @status, reason = coalesce(@reason, reason), error = coalesce(@error, error), finished_at = @finishedAt
      WHERE run_id = @runId AND node_id = @nodeId AND generation = @generation AND attempt = @attempt
        AND status IN ('running', 'waiting', 'retrying', 'interrupted')`);
    this.nodeOutput = db.prepare(`
      INSERT INTO node_runs (run_id, node_id, generation, attempt, status, output, cached)
      VALUES (?, ?, ?, ?, 'running', ?, ?)
      ON CONFLICT DO UPDATE SET output = excluded.output, cached = excluded.cached`);
    this.nodeUsage = db.prepare(`
      UPDATE node_runs SET prompt_tokens = prompt_tokens + ?, completion_tokens = completion_tokens + ?, cost_usd = cost_usd + ?
      WHERE run_id = ? AND node_id = ? AND generation = ? AND attempt = ?`);
    this.latestAttempt = db.prepare(
      'SELECT generation, attempt FROM node_runs WHERE run_id = ? AND node_id = ? ORDER BY generation DESC, attempt DESC LIMIT 1',
    );
  }

  apply(e: EngineEvent): void {
    switch (e.type) {
      case 'run.started':
        this.runReopened.run(e.runId);
        return;
      case 'run.status':
        if (e.status === 'running') this.runReopened.run(e.runId);
        else this.runStatus.run(e.status, e.runId);
        return;
      case 'node.rerun':
        this.runReopened.run(e.runId);
        return;
      case 'run.finished':
        this.runFinished.run(e.status, e.ts, e.runId);
        this.current.delete(e.runId);
        return;
      case 'node.status':
        this.applyStatus(e);
        return;
      case 'node.output': {
        const at = this.executionOf(e.runId, e.nodeId, e.generation);
        this.nodeOutput.run(e.runId, e.nodeId, at.generation, at.attempt, json(e.output), e.cached ? 1 : 0);
        return;
      }
      case 'node.usage': {
        const at = this.executionOf(e.runId, e.nodeId);
        const u = e.usage;
        this.nodeUsage.run(u.promptTokens ?? 0, u.completionTokens ?? 0, u.costUsd ?? 0, e.runId, e.nodeId, at.generation, at.attempt);
        return;
      }
      default:
        return;
    }
  }

  private applyStatus(e: Extract<EngineEvent, { type: 'node.status' }>): void {
    const { status } = e;
    if (status === 'pending' || status === 'queued' || status === 'stale') return;
    if (status === 'running') {
      const attempt = Math.max(1, e.attempt);
      this.remember(e.runId, e.nodeId, e.generation, attempt);
      this.nodeStarted.run(e.runId, e.nodeId, e.generation, attempt, e.reason ?? null, json(e.input), e.ts);
      return;
    }
    const params = {
      runId: e.runId,
      nodeId: e.nodeId,
      generation: e.generation,
      attempt: e.attempt,
      status,
      reason: e.reason ?? null,
      error: e.error ? JSON.stringify(e.error) : null,
      ts: e.ts,
      finishedAt: TERMINAL.has(status) ? e.ts : null,
    };
    if (e.attempt === 0) {
      // The scheduler speaks about the node, not one attempt (skipped, cancelled by the
      // run, interrupted by a crash): it concerns the execution in progress, if any.
      const at = this.existingExecution(e.runId, e.nodeId, e.generation);
      if (at) {
        this.nodeTouched.run({ ...params, attempt: at.attempt });
        return;
      }
      // Finished without an attempt (a cache hit, inputs that failed to resolve): still one execution.
      if (status !== 'succeeded' && status !== 'failed') return;
      params.attempt = 1;
    }
    this.remember(e.runId, e.nodeId, e.generation, params.attempt);
    this.nodeChanged.run(params);
  }

  private remember(runId: string, nodeId: string, generation: number, attempt: number): void {
    let nodes = this.current.get(runId);
    if (!nodes) this.current.set(runId, (nodes = new Map()));
    nodes.set(nodeId, { generation, attempt });
  }

  /** The node's newest execution in `generation`, when it has one. */
  private existingExecution(runId: string, nodeId: string, generation: number): { generation: number; attempt: number } | undefined {
    const known = this.current.get(runId)?.get(nodeId);
    if (known) return known.generation === generation ? known : undefined;
    const row = this.latestAttempt.get(runId, nodeId) as { generation: number; attempt: number } | undefined;
    return row && row.generation === generation ? row : undefined;
  }

  private executionOf(runId: string, nodeId: string, generation?: number): { generation: number; attempt: number } {
    const known = this.current.get(runId)?.get(nodeId);
    if (known && (generation === undefined || known.generation === generation)) return known;
    // After a restart the map is empty: the log's newest execution of the node is the one.
    const row = this.latestAttempt.get(runId, nodeId) as { generation: number; attempt: number } | undefined;
    if (row && (generation === undefined || row.generation === generation)) return row;
    return { generation: generation ?? 0, attempt: 1 };
  }
}

function json(value: unknown): string | null {
  return value === undefined ? null : JSON.stringify(value);
}
