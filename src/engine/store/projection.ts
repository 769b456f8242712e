/**
 * Keeps `runs.status` and `node_runs` in step with the event log. Called inside the
 * transaction that appends the events, so the projection and the log never disagree.
 *
 * A node's events in one batch (running, output, succeeded …) are merged in memory and
 * written as one upsert per execution when the batch ends: a tick that finishes
 * thousands of nodes costs one statement per node run, not one per event.
 */
import type { EngineEvent } from '../../contract';
import type { SqliteDatabase } from './db';

/** Statuses after which an execution has ended (a retry is a new attempt). */
const ENDED = new Set(['succeeded', 'failed', 'skipped', 'cancelled', 'retrying']);
/** Statuses a node-level event (attempt 0) may still change. */
const UNFINISHED = new Set(['running', 'waiting', 'retrying', 'interrupted']);

interface Execution {
  generation: number;
  attempt: number;
}

/** Changes to one node_runs row; null means "leave as it is". */
interface PendingRow {
  runId: string;
  nodeId: string;
  generation: number;
  attempt: number;
  status: string | null;
  reason: string | null;
  input: string | null;
  output: string | null;
  cached: number | null;
  error: string | null;
  startedAt: number | null;
  finishedSet: number;
  finishedAt: number | null;
  prompt: number;
  completion: number;
  cost: number;
  /** Another execution of the same node in this batch (a retry), rarely more than one. */
  next: PendingRow | undefined;
}

export class NodeRunProjection {
  private readonly runStatus;
  private readonly runFinished;
  private readonly runReopened;
  private readonly upsert;
  private readonly upsertOne;
  private readonly upsertMany;
  private readonly nodeTouched;
  private readonly latestAttempt;
  /** runId → nodeId → the execution that outputs and usage belong to (updated in place). */
  private readonly current = new Map<string, Map<string, Execution>>();
  /** The batch's rows, runId → nodeId → row: looked up several times per node, so no key strings are built. */
  private readonly pending = new Map<string, Map<string, PendingRow>>();

  constructor(db: SqliteDatabase) {
    this.runStatus = db.prepare('UPDATE runs SET status = ? WHERE id = ?');
    this.runFinished = db.prepare('UPDATE runs SET status = ?, finished_at = ? WHERE id = ?');
    this.runReopened = db.prepare(`UPDATE runs SET status = 'running', finished_at = NULL WHERE id = ?`);
    this.upsert = db.prepare(`
      INSERT INTO node_runs (run_id, node_id, generation, attempt, status, reason, input, output, error, cached,
        started_at, finished_at, prompt_tokens, completion_tokens, cost_usd)
      VALUES (@runId, @nodeId, @generation, @attempt, coalesce(@status, 'running'), @reason, @input, @output, @error,
        coalesce(@cached, 0), @startedAt, @finishedAt, @prompt, @completion, @cost)
      ON CONFLICT DO UPDATE SET
        status = coalesce(@status, status),
        reason = coalesce(@reason, reason),
        input = coalesce(@input, input),
        output = coalesce(@output, output),
        cached = coalesce(@cached, cached),
        error = coalesce(@error, error),
        started_at = coalesce(started_at, @startedAt),
        finished_at = CASE WHEN @finishedSet THEN @finishedAt ELSE finished_at END,
        prompt_tokens = prompt_tokens + @prompt,
        completion_tokens = completion_tokens + @completion,
        cost_usd = cost_usd + @cost`);
    this.upsertOne = db.prepare(completeRowsUpsert(1));
    this.upsertMany = db.prepare(completeRowsUpsert(UPSERT_ROWS));
    this.nodeTouched = db.prepare(`
      UPDATE node_runs SET status = @status, reason = coalesce(@reason, reason), error = coalesce(@error, error), finished_at = @finishedAt
      WHERE run_id = @runId AND node_id = @nodeId AND generation = @generation AND attempt = @attempt
        AND status IN ('running', 'waiting', 'retrying', 'interrupted')`);
    this.latestAttempt = db.prepare(
      'SELECT generation, attempt FROM node_runs WHERE run_id = ? AND node_id = ? ORDER BY generation DESC, attempt DESC LIMIT 1',
    );
  }

  apply(e: EngineEvent): void {
    switch (e.type) {
      case 'run.started':
      case 'node.rerun':
        this.runReopened.run(e.runId);
        return;
      case 'run.status':
        if (e.status === 'running') this.runReopened.run(e.runId);
        else this.runStatus.run(e.status, e.runId);
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
        const row = this.row(e.runId, e.nodeId, at.generation, at.attempt);
        row.output = JSON.stringify(e.output ?? null);
        row.cached = e.cached ? 1 : 0;
        return;
      }
      case 'node.usage': {
        const at = this.executionOf(e.runId, e.nodeId);
        const row = this.row(e.runId, e.nodeId, at.generation, at.attempt);
        row.prompt += e.usage.promptTokens ?? 0;
        row.completion += e.usage.completionTokens ?? 0;
        row.cost += e.usage.costUsd ?? 0;
        return;
      }
      default:
        return;
    }
  }

  /** Writes the batch's merged rows; call before the transaction commits. */
  flush(): void {
    // Rows whose status this batch set (nearly all) go through positional multi-row
    // statements: binding named parameters and stepping one statement per row were
    // most of the projection's cost. The rest keep the general upsert.
    const args: unknown[] = [];
    let rows = 0;
    for (const nodes of this.pending.values()) {
      for (const first of nodes.values()) {
        for (let row: PendingRow | undefined = first; row; row = row.next) {
          if (row.status === null || row.finishedSet === 0) {
            const { next: _next, ...named } = row;
            this.upsert.run(named);
            continue;
          }
          args.push(row.runId, row.nodeId, row.generation, row.attempt, row.status, row.reason, row.input, row.output, row.error);
          args.push(row.cached ?? 0, row.startedAt, row.finishedAt, row.prompt, row.completion, row.cost);
          if (++rows === UPSERT_ROWS) {
            this.upsertMany.run(args);
            args.length = 0;
            rows = 0;
          }
        }
      }
    }
    for (let i = 0; i < rows; i++) this.upsertOne.run(args.slice(i * UPSERT_COLUMNS, (i + 1) * UPSERT_COLUMNS));
    this.pending.clear();
  }

  /** Forgets unwritten rows (the transaction rolled back). */
  discard(): void {
    this.pending.clear();
    this.current.clear();
  }

  private applyStatus(e: Extract<EngineEvent, { type: 'node.status' }>): void {
    const { status } = e;
    if (status === 'pending' || status === 'queued' || status === 'stale') return;
    const finishedAt = ENDED.has(status) ? e.ts : null;
    if (e.attempt === 0 && status !== 'running') {
      // The scheduler speaks about the node, not one attempt (skipped, cancelled by the
      // run, interrupted by a crash): it concerns the execution in progress, if any.
      const at = this.existingExecution(e.runId, e.nodeId, e.generation);
      if (at) {
        const row = this.pendingRow(e.runId, e.nodeId, at.generation, at.attempt);
        if (row && row.status !== null) {
          if (UNFINISHED.has(row.status)) this.set(row, status, e, finishedAt);
          return;
        }
        this.nodeTouched.run({
          runId: e.runId,
          nodeId: e.nodeId,
          generation: at.generation,
          attempt: at.attempt,
          status,
          reason: e.reason ?? null,
          error: e.error ? JSON.stringify(e.error) : null,
          finishedAt,
        });
        if (row) row.status = status;
        return;
      }
      // Finished without an attempt (a cache hit, inputs that failed to resolve): still one execution.
      if (status !== 'succeeded' && status !== 'failed') return;
    }
    const attempt = Math.max(1, e.attempt);
    this.remember(e.runId, e.nodeId, e.generation, attempt);
    const row = this.row(e.runId, e.nodeId, e.generation, attempt);
    if (status === 'running' && e.input !== undefined) row.input = JSON.stringify(e.input);
    this.set(row, status, e, finishedAt);
  }

  private set(row: PendingRow, status: string, e: Extract<EngineEvent, { type: 'node.status' }>, finishedAt: number | null): void {
    row.status = status;
    if (e.reason) row.reason = e.reason;
    if (e.error) row.error = JSON.stringify(e.error);
    if (row.startedAt === null) row.startedAt = e.ts;
    row.finishedSet = 1;
    row.finishedAt = finishedAt;
  }

  private pendingRow(runId: string, nodeId: string, generation: number, attempt: number): PendingRow | undefined {
    for (let row = this.pending.get(runId)?.get(nodeId); row; row = row.next) {
      if (row.generation === generation && row.attempt === attempt) return row;
    }
    return undefined;
  }

  private row(runId: string, nodeId: string, generation: number, attempt: number): PendingRow {
    const found = this.pendingRow(runId, nodeId, generation, attempt);
    if (found) return found;
    let nodes = this.pending.get(runId);
    if (!nodes) this.pending.set(runId, (nodes = new Map()));
    const row: PendingRow = {
      runId,
      nodeId,
      generation,
      attempt,
      status: null,
      reason: null,
      input: null,
      output: null,
      cached: null,
      error: null,
      startedAt: null,
      finishedSet: 0,
      finishedAt: null,
      prompt: 0,
      completion: 0,
      cost: 0,
      next: nodes.get(nodeId),
    };
    nodes.set(nodeId, row);
    return row;
  }

  private remember(runId: string, nodeId: string, generation: number, attempt: number): void {
    let nodes = this.current.get(runId);
    if (!nodes) this.current.set(runId, (nodes = new Map()));
    const known = nodes.get(nodeId);
    if (!known) nodes.set(nodeId, { generation, attempt });
    else {
      known.generation = generation;
      known.attempt = attempt;
    }
  }

  /** The node's newest execution in `generation`, when it has one. */
  private existingExecution(runId: string, nodeId: string, generation: number): Execution | undefined {
    const known = this.current.get(runId)?.get(nodeId);
    if (known) return known.generation === generation ? known : undefined;
    const row = this.latestAttempt.get(runId, nodeId) as Execution | undefined;
    return row && row.generation === generation ? row : undefined;
  }

  private executionOf(runId: string, nodeId: string, generation?: number): Execution {
    const known = this.current.get(runId)?.get(nodeId);
    if (known && (generation === undefined || known.generation === generation)) return known;
    // After a restart the map is empty: the newest stored execution of the node is the one.
    const row = this.latestAttempt.get(runId, nodeId) as Execution | undefined;
    if (row && (generation === undefined || row.generation === generation)) return row;
    return { generation: generation ?? 0, attempt: 1 };
  }
}

/** Rows per multi-row statement (× UPSERT_COLUMNS parameters, far below SQLite's limit). */
const UPSERT_ROWS = 32;
const UPSERT_COLUMNS = 15;

/**
 * Upsert of rows whose status (and finish time) the batch set. A null column means
 * "unchanged": cached travels with output (node.output sets both).
 */
function completeRowsUpsert(rows: number): string {
  const tuple = `(${Array.from({ length: UPSERT_COLUMNS }, () => '?').join(', ')})`;
  return `
    INSERT INTO node_runs (run_id, node_id, generation, attempt, status, reason, input, output, error, cached,
      started_at, finished_at, prompt_tokens, completion_tokens, cost_usd)
    VALUES ${Array.from({ length: rows }, () => tuple).join(', ')}
    ON CONFLICT DO UPDATE SET
      status = excluded.status,
      reason = coalesce(excluded.reason, reason),
      input = coalesce(excluded.input, input),
      output = coalesce(excluded.output, output),
      cached = CASE WHEN excluded.output IS NULL THEN cached ELSE excluded.cached END,
      error = coalesce(excluded.error, error),
      started_at = coalesce(started_at, excluded.started_at),
      finished_at = excluded.finished_at,
      prompt_tokens = prompt_tokens + excluded.prompt_tokens,
      completion_tokens = completion_tokens + excluded.completion_tokens,
      cost_usd = cost_usd + excluded.cost_usd`;
}
