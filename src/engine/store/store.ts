/**
 * The engine's SQLite store (DESIGN.md §7): workflows and their versions, runs, the
 * event log with its node-run projection, artifacts, the output cache, settings and
 * approval decisions. Every statement is prepared once, in the constructor.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Artifact, EngineEvent, ImportedFrom, NodeRun, Run, RunStatus, RunSummary, Workflow, WorkflowSummary } from '../../contract';
import type { Transaction } from 'better-sqlite3';
import { stderrLogger, type EngineLogger } from '../observe/logger';
import { openDatabase, timed, type SqliteDatabase } from './db';
import { NodeRunProjection } from './projection';

/** What the engine keeps about a run beyond the public `Run`. */
export interface RunRecord {
  run: Run;
  /** Nodes of the run that may run at once, when the starter chose it. */
  concurrency: number | null;
  workspaceDir: string;
  /** Tools allowed for this run only (`--allow`). */
  allow: string[];
  /** The process executing the run, for liveness checks; null once it let go. */
  ownerPid: number | null;
  /** Set by `awe cancel` from another process; the owner polls it. */
  cancelRequested: boolean;
}

export interface NewRun {
  id: string;
  workflow: Workflow;
  inputs: Record<string, unknown>;
  concurrency?: number;
  workspaceDir: string;
  allow?: string[];
  ownerPid: number;
  startedAt: number;
}

export interface StoredArtifact extends Artifact {
  /** Path relative to the artifacts root. */
  relPath: string;
}

export interface ApprovalRow {
  approved: boolean | null;
  comment: string | null;
  decidedAt: number | null;
  consumed: boolean;
}

const RUN_STATE_EVENTS = new Set(['run.started', 'run.status', 'run.finished']);

/** Event rows per multi-row INSERT (× 5 parameters, far below SQLite's limit). */
const EVENT_ROWS = 64;

export class Store {
  readonly db: SqliteDatabase;
  private readonly projection: NodeRunProjection;
  private readonly s;
  private readonly appendTx: Transaction<(batch: readonly EngineEvent[], texts?: readonly string[]) => void>;

  /** Opens (creating if needed) `<dataDir>/awe.db`. */
  static open(dataDir: string, logger: EngineLogger = stderrLogger): Store {
    mkdirSync(dataDir, { recursive: true });
    return new Store(openDatabase(join(dataDir, 'awe.db')), logger);
  }

  constructor(
    db: SqliteDatabase,
    /** Hears about slow statements. */
    private readonly logger: EngineLogger = stderrLogger,
  ) {
    this.db = db;
    this.projection = new NodeRunProjection(db);
    const p = (sql: string) => db.prepare(sql);
    this.s = {
      workflowGet: p('SELECT json FROM workflows WHERE id = ?'),
      workflowUpsert: p(`
        INSERT INTO workflows (id, name, goal, version, node_count, json, created_at, updated_at)
        VALUES (@id, @name, @goal, @version, @nodeCount, @json, @now, @now)
        ON CONFLICT (id) DO UPDATE SET name = excluded.name, goal = excluded.goal, version = excluded.version,
          node_count = excluded.node_count, json = excluded.json, updated_at = excluded.updated_at`),
      workflowVersionInsert: p('INSERT OR REPLACE INTO workflow_versions (workflow_id, version, json, saved_at) VALUES (?, ?, ?, ?)'),
      workflowList: p('SELECT id, name, goal, version, node_count AS nodeCount, updated_at AS updatedAt FROM workflows ORDER BY updated_at DESC, rowid DESC'),
      workflowDelete: p('DELETE FROM workflows WHERE id = ?'),
      workflowVersionsDelete: p('DELETE FROM workflow_versions WHERE workflow_id = ?'),
      runInsert: p(`
        INSERT INTO runs (id, workflow_id, workflow_name, snapshot, status, inputs, concurrency, workspace_dir, allow, owner_pid, started_at)
        VALUES (@id, @workflowId, @workflowName, @snapshot, 'running', @inputs, @concurrency, @workspaceDir, @allow, @ownerPid, @startedAt)`),
      runGet: p('SELECT * FROM runs WHERE id = ?'),
      runMarkImported: p('UPDATE runs SET imported_from = ?, owner_pid = NULL WHERE id = ?'),
      runList: p(`SELECT id, workflow_id, workflow_name, status, started_at, finished_at, imported_from FROM runs
        WHERE (@workflowId IS NULL OR workflow_id = @workflowId) ORDER BY started_at DESC, rowid DESC LIMIT @limit`),
      // Figures the run history shows (issue 13): cost, tokens and retries of one run, from its node runs.
      runTotals: p(`SELECT COALESCE(SUM(cost_usd), 0) AS cost, COALESCE(SUM(prompt_tokens + completion_tokens), 0) AS tokens,
        COALESCE(SUM(reason = 'retry'), 0) AS retries FROM node_runs WHERE run_id = ?`),
      runsUnfinished: p(`SELECT id FROM runs WHERE status IN ('running', 'waiting', 'interrupted') ORDER BY started_at, rowid`),
      runRequestCancel: p('UPDATE runs SET cancel_requested = 1 WHERE id = ?'),
      runClearCancel: p('UPDATE runs SET cancel_requested = 0 WHERE id = ?'),
      runCancelRequested: p('SELECT cancel_requested FROM runs WHERE id = ?'),
      eventInsert: p('INSERT INTO events (run_id, seq, type, ts, json) VALUES (?, ?, ?, ?, ?)'),
      eventsAfter: p('SELECT json FROM events WHERE run_id = ? AND seq > ? ORDER BY seq LIMIT ?'),
      maxSeq: p('SELECT max(seq) AS seq FROM events WHERE run_id = ?'),
      nodeRuns: p('SELECT * FROM node_runs WHERE run_id = ? ORDER BY node_id, generation, attempt'),
      artifactInsert: p(`
        INSERT INTO artifacts (id, run_id, node_id, name, mime, size, sha256, rel_path, created_at)
        VALUES (@id, @runId, @nodeId, @name, @mime, @size, @sha256, @relPath, @createdAt)`),
      artifactsOfRun: p('SELECT * FROM artifacts WHERE run_id = ? ORDER BY created_at, rowid'),
      artifactGet: p('SELECT * FROM artifacts WHERE id = ?'),
      cacheGet: p('SELECT output FROM cache WHERE key = ?'),
      // cache.tool stays in the schema (NULL): the key already covers the tool and its version.
      cacheSet: p('INSERT OR REPLACE INTO cache (key, output, created_at) VALUES (?, ?, ?)'),
      settingGet: p('SELECT value FROM settings WHERE key = ?'),
      settingSet: p('INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)'),
      settingDelete: p('DELETE FROM settings WHERE key = ?'),
      approvalGet: p('SELECT approved, comment, decided_at, consumed FROM approvals WHERE run_id = ? AND node_id = ?'),
      approvalRequest: p(`
        INSERT INTO approvals (run_id, node_id, requested_at) VALUES (?, ?, ?)
        ON CONFLICT DO UPDATE SET approved = NULL, comment = NULL, decided_at = NULL, consumed = 0,
          requested_at = excluded.requested_at`),
      approvalDecide: p(`
        INSERT INTO approvals (run_id, node_id, approved, comment, decided_at) VALUES (?, ?, ?, ?, ?)
        ON CONFLICT DO UPDATE SET approved = excluded.approved, comment = excluded.comment,
          decided_at = excluded.decided_at, consumed = 0`),
      approvalConsume: p('UPDATE approvals SET consumed = 1 WHERE run_id = ? AND node_id = ?'),
    };
    const eventInsertMany = p(`INSERT INTO events (run_id, seq, type, ts, json) VALUES ${Array.from({ length: EVENT_ROWS }, () => '(?, ?, ?, ?, ?)').join(', ')}`);
    const rowArgs: unknown[] = new Array(EVENT_ROWS * 5);
    this.appendTx = db.transaction((batch: readonly EngineEvent[], texts?: readonly string[]) => {
      // Whole groups of rows go through one multi-row statement: binding and stepping a
      // statement per event was most of the write's cost. The tail goes row by row.
      const whole = batch.length - (batch.length % EVENT_ROWS);
      for (let i = 0; i < whole; i += EVENT_ROWS) {
        for (let j = 0, a = 0; j < EVENT_ROWS; j++) {
          const e = batch[i + j];
          rowArgs[a++] = e.runId;
          rowArgs[a++] = e.seq;
          rowArgs[a++] = e.type;
          rowArgs[a++] = e.ts;
          rowArgs[a++] = texts ? texts[i + j] : JSON.stringify(e);
        }
        eventInsertMany.run(rowArgs);
      }
      for (let i = whole; i < batch.length; i++) {
        const e = batch[i];
        this.s.eventInsert.run(e.runId, e.seq, e.type, e.ts, texts ? texts[i] : JSON.stringify(e));
      }
      rowArgs.fill(undefined);
      for (const e of batch) this.projection.apply(e);
      this.projection.flush();
    });
  }

  // ---- Workflows ------------------------------------------------------------------

  /** Saves a workflow as its next version (1 for a new id, unless the document says more). */
  saveWorkflow(workflow: Workflow, now = Date.now()): Workflow {
    return this.timed('saveWorkflow', () =>
      this.db
        .transaction(() => {
          const prev = this.getWorkflow(workflow.id);
          const saved: Workflow = { ...workflow, version: prev ? prev.version + 1 : Math.max(1, workflow.version ?? 1) };
          const text = JSON.stringify(saved);
          this.s.workflowUpsert.run({
            id: saved.id,
            name: saved.name,
            goal: saved.goal ?? null,
            version: saved.version,
            nodeCount: saved.nodes.length,
            json: text,
            now,
          });
          this.s.workflowVersionInsert.run(saved.id, saved.version, text, now);
          return saved;
        })
        .immediate(),
    );
  }

  getWorkflow(id: string): Workflow | undefined {
    const row = this.s.workflowGet.get(id) as { json: string } | undefined;
    return row ? (JSON.parse(row.json) as Workflow) : undefined;
  }

  listWorkflows(): WorkflowSummary[] {
    return (this.s.workflowList.all() as (WorkflowSummary & { goal: string | null })[]).map((r) => {
      const { goal, ...rest } = r;
      return goal === null ? rest : { ...rest, goal };
    });
  }

  /** Deletes a workflow and its versions; its runs keep their snapshots. */
  deleteWorkflow(id: string): boolean {
    return this.db.transaction(() => {
      this.s.workflowVersionsDelete.run(id);
      return this.s.workflowDelete.run(id).changes > 0;
    })();
  }

  // ---- Runs -----------------------------------------------------------------------

  createRun(r: NewRun): void {
    this.s.runInsert.run({
      id: r.id,
      workflowId: r.workflow.id,
      workflowName: r.workflow.name,
      snapshot: JSON.stringify(r.workflow),
      inputs: JSON.stringify(r.inputs),
      concurrency: r.concurrency ?? null,
      workspaceDir: r.workspaceDir,
      allow: JSON.stringify(r.allow ?? []),
      ownerPid: r.ownerPid,
      startedAt: r.startedAt,
    });
  }

  runRecord(id: string): RunRecord | undefined {
    const row = this.s.runGet.get(id) as RunRow | undefined;
    if (!row) return undefined;
    return {
      run: {
        id: row.id,
        workflowId: row.workflow_id,
        ...(row.workflow_name ? { workflowName: row.workflow_name } : {}),
        snapshot: JSON.parse(row.snapshot) as Workflow,
        status: row.status as RunStatus,
        inputs: JSON.parse(row.inputs) as Record<string, unknown>,
        startedAt: row.started_at,
        finishedAt: row.finished_at,
        ...(row.imported_from ? { importedFrom: JSON.parse(row.imported_from) as ImportedFrom } : {}),
      },
      concurrency: row.concurrency,
      workspaceDir: row.workspace_dir,
      allow: JSON.parse(row.allow) as string[],
      ownerPid: row.owner_pid,
      cancelRequested: row.cancel_requested === 1,
    };
  }

  /**
   * Records a finished run made elsewhere (a bundle's run), all or nothing: the run row, its
   * events through the projection (node runs, status), its artifacts and where it came from.
   */
  importRun(r: NewRun, events: readonly EngineEvent[], artifacts: readonly StoredArtifact[], importedFrom: ImportedFrom): void {
    try {
      this.timed('importRun', () =>
        this.db
          .transaction(() => {
            this.createRun(r);
            this.s.runMarkImported.run(JSON.stringify(importedFrom), r.id);
            for (const e of events) {
              this.s.eventInsert.run(e.runId, e.seq, e.type, e.ts, JSON.stringify(e));
              this.projection.apply(e);
            }
            this.projection.flush();
            for (const a of artifacts) this.s.artifactInsert.run(a);
          })
          .immediate(),
      );
    } catch (err) {
      this.projection.discard();
      throw err;
    }
  }

  getRun(id: string): Run | undefined {
    return this.runRecord(id)?.run;
  }

  /** Runs, newest first. */
  listRuns(filter: { workflowId?: string; limit?: number } = {}): RunSummary[] {
    const rows = this.s.runList.all({ workflowId: filter.workflowId ?? null, limit: filter.limit ?? -1 }) as RunRow[];
    return rows.map((r) => {
      const totals = this.s.runTotals.get(r.id) as { cost: number; tokens: number; retries: number };
      return {
        runId: r.id,
        workflowId: r.workflow_id,
        ...(r.workflow_name ? { workflowName: r.workflow_name } : {}),
        status: r.status as RunStatus,
        startedAt: r.started_at,
        finishedAt: r.finished_at,
        costUsd: totals.cost,
        tokens: totals.tokens,
        retries: totals.retries,
        ...(r.imported_from ? { importedFrom: JSON.parse(r.imported_from) as ImportedFrom } : {}),
      };
    });
  }

  /** Runs a crash may have left unfinished (running, waiting for a person, interrupted). */
  unfinishedRunIds(): string[] {
    return (this.s.runsUnfinished.all() as { id: string }[]).map((r) => r.id);
  }

  requestCancel(id: string): void {
    this.s.runRequestCancel.run(id);
  }

  clearCancelRequest(id: string): void {
    this.s.runClearCancel.run(id);
  }

  cancelRequested(id: string): boolean {
    return (this.s.runCancelRequested.get(id) as { cancel_requested: number } | undefined)?.cancel_requested === 1;
  }

  // ---- Events ---------------------------------------------------------------------

  /**
   * Appends a batch of events and updates the projection, in one transaction. Batches
   * that change a run's state are written with `synchronous = FULL`, so a finished
   * run survives even a power loss; node events rely on WAL + NORMAL (see db.ts).
   */
  appendEvents(batch: readonly EngineEvent[], texts?: readonly string[]): void {
    if (batch.length === 0) return;
    const full = batch.some((e) => RUN_STATE_EVENTS.has(e.type));
    if (full) this.db.pragma('synchronous = FULL');
    try {
      this.timed(`appendEvents(${batch.length})`, () => this.appendTx.immediate(batch, texts));
    } catch (err) {
      this.projection.discard();
      throw err;
    } finally {
      if (full) this.db.pragma('synchronous = NORMAL');
    }
  }

  events(runId: string, afterSeq = 0, limit = -1): EngineEvent[] {
    const rows = this.timed('events', () => this.s.eventsAfter.all(runId, afterSeq, limit) as { json: string }[]);
    return rows.map((r) => JSON.parse(r.json) as EngineEvent);
  }

  maxSeq(runId: string): number {
    return (this.s.maxSeq.get(runId) as { seq: number | null }).seq ?? 0;
  }

  nodeRuns(runId: string): NodeRun[] {
    return (this.s.nodeRuns.all(runId) as NodeRunRow[]).map((r) => {
      const nr: NodeRun = {
        runId: r.run_id,
        nodeId: r.node_id,
        generation: r.generation,
        attempt: r.attempt,
        status: r.status as NodeRun['status'],
        cached: r.cached === 1,
        startedAt: r.started_at,
        finishedAt: r.finished_at,
        error: r.error ? (JSON.parse(r.error) as NodeRun['error']) : null,
        usage: { promptTokens: r.prompt_tokens, completionTokens: r.completion_tokens, costUsd: r.cost_usd },
      };
      if (r.reason) nr.reason = r.reason as NodeRun['reason'];
      if (r.input !== null) nr.input = JSON.parse(r.input);
      if (r.output !== null) nr.output = JSON.parse(r.output);
      return nr;
    });
  }

  // ---- Artifacts ------------------------------------------------------------------

  addArtifact(a: StoredArtifact): void {
    this.s.artifactInsert.run(a);
  }

  listArtifacts(runId: string): StoredArtifact[] {
    return (this.s.artifactsOfRun.all(runId) as ArtifactRow[]).map(artifactOf);
  }

  getArtifact(id: string): StoredArtifact | undefined {
    const row = this.s.artifactGet.get(id) as ArtifactRow | undefined;
    return row ? artifactOf(row) : undefined;
  }

  // ---- Cache ----------------------------------------------------------------------

  cacheGet(key: string): { output: unknown } | undefined {
    const row = this.s.cacheGet.get(key) as { output: string } | undefined;
    return row ? { output: JSON.parse(row.output) } : undefined;
  }

  cacheSet(key: string, output: unknown): void {
    this.s.cacheSet.run(key, JSON.stringify(output ?? null), Date.now());
  }

  // ---- Settings (kv) --------------------------------------------------------------

  getSetting(key: string): unknown {
    const row = this.s.settingGet.get(key) as { value: string } | undefined;
    return row ? JSON.parse(row.value) : undefined;
  }

  setSetting(key: string, value: unknown): void {
    if (value === undefined) this.s.settingDelete.run(key);
    else this.s.settingSet.run(key, JSON.stringify(value));
  }

  // ---- Approvals ------------------------------------------------------------------

  approval(runId: string, nodeId: string): ApprovalRow | undefined {
    const row = this.s.approvalGet.get(runId, nodeId) as
      | { approved: number | null; comment: string | null; decided_at: number | null; consumed: number }
      | undefined;
    if (!row) return undefined;
    return {
      approved: row.approved === null ? null : row.approved === 1,
      comment: row.comment,
      decidedAt: row.decided_at,
      consumed: row.consumed === 1,
    };
  }

  /** A node starts waiting: any earlier, already-used decision is forgotten. */
  requestApproval(runId: string, nodeId: string, now = Date.now()): void {
    this.s.approvalRequest.run(runId, nodeId, now);
  }

  decideApproval(runId: string, nodeId: string, approved: boolean, comment?: string, now = Date.now()): void {
    this.s.approvalDecide.run(runId, nodeId, approved ? 1 : 0, comment ?? null, now);
  }

  /** The waiting node took the decision; a later wait (a rerun) asks again. */
  consumeApproval(runId: string, nodeId: string): void {
    this.s.approvalConsume.run(runId, nodeId);
  }

  private timed<T>(name: string, fn: () => T): T {
    return timed(name, fn, this.logger);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

interface RunRow {
  id: string;
  workflow_id: string;
  workflow_name: string | null;
  snapshot: string;
  status: string;
  inputs: string;
  concurrency: number | null;
  workspace_dir: string;
  allow: string;
  owner_pid: number | null;
  cancel_requested: number;
  started_at: number;
  finished_at: number | null;
  imported_from: string | null;
}

interface NodeRunRow {
  run_id: string;
  node_id: string;
  generation: number;
  attempt: number;
  status: string;
  reason: string | null;
  input: string | null;
  output: string | null;
  error: string | null;
  cached: number;
  started_at: number | null;
  finished_at: number | null;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
}

interface ArtifactRow {
  id: string;
  run_id: string;
  node_id: string;
  name: string;
  mime: string;
  size: number;
  sha256: string;
  rel_path: string;
  created_at: number;
}

function artifactOf(r: ArtifactRow): StoredArtifact {
  return {
    id: r.id,
    runId: r.run_id,
    nodeId: r.node_id,
    name: r.name,
    mime: r.mime,
    size: r.size,
    sha256: r.sha256,
    relPath: r.rel_path,
    createdAt: r.created_at,
  };
}
