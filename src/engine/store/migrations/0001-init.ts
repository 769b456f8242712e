/**
 * The first schema: workflows (current + every saved version), runs, node runs (a
 * projection of the event log), the event log itself, artifacts, the output cache,
 * settings and approval decisions.
 */
import type { Migration } from './migration';

export const init: Migration = {
  version: 1,
  name: 'init',
  sql: `
    CREATE TABLE workflows (
      id          TEXT PRIMARY KEY,
      name        TEXT NOT NULL,
      goal        TEXT,
      version     INTEGER NOT NULL,
      node_count  INTEGER NOT NULL,
      json        TEXT NOT NULL,
      created_at  INTEGER NOT NULL,
      updated_at  INTEGER NOT NULL
    );

    CREATE TABLE workflow_versions (
      workflow_id TEXT NOT NULL,
      version     INTEGER NOT NULL,
      json        TEXT NOT NULL,
      saved_at    INTEGER NOT NULL,
      PRIMARY KEY (workflow_id, version)
    ) WITHOUT ROWID;

    CREATE TABLE runs (
      id               TEXT PRIMARY KEY,
      workflow_id      TEXT NOT NULL,
      workflow_name    TEXT,
      snapshot         TEXT NOT NULL,
      status           TEXT NOT NULL,
      inputs           TEXT NOT NULL,
      concurrency      INTEGER,
      workspace_dir    TEXT NOT NULL,
      allow            TEXT NOT NULL DEFAULT '[]',
      owner_pid        INTEGER,
      cancel_requested INTEGER NOT NULL DEFAULT 0,
      started_at       INTEGER NOT NULL,
      finished_at      INTEGER
    );
    CREATE INDEX runs_by_start ON runs (started_at DESC);
    CREATE INDEX runs_by_workflow ON runs (workflow_id, started_at DESC);
    CREATE INDEX runs_by_status ON runs (status);

    CREATE TABLE node_runs (
      run_id            TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      node_id           TEXT NOT NULL,
      generation        INTEGER NOT NULL,
      attempt           INTEGER NOT NULL,
      status            TEXT NOT NULL,
      reason            TEXT,
      input             TEXT,
      output            TEXT,
      error             TEXT,
      cached            INTEGER NOT NULL DEFAULT 0,
      started_at        INTEGER,
      finished_at       INTEGER,
      prompt_tokens     INTEGER NOT NULL DEFAULT 0,
      completion_tokens INTEGER NOT NULL DEFAULT 0,
      cost_usd          REAL NOT NULL DEFAULT 0,
      PRIMARY KEY (run_id, node_id, generation, attempt)
    ) WITHOUT ROWID;

    CREATE TABLE events (
      run_id TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      seq    INTEGER NOT NULL,
      type   TEXT NOT NULL,
      ts     INTEGER NOT NULL,
      json   TEXT NOT NULL,
      PRIMARY KEY (run_id, seq)
    ) WITHOUT ROWID;

    CREATE TABLE artifacts (
      id         TEXT PRIMARY KEY,
      run_id     TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      node_id    TEXT NOT NULL,
      name       TEXT NOT NULL,
      mime       TEXT NOT NULL,
      size       INTEGER NOT NULL,
      sha256     TEXT NOT NULL,
      rel_path   TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );
    CREATE INDEX artifacts_by_run ON artifacts (run_id, created_at);

    CREATE TABLE cache (
      key        TEXT PRIMARY KEY,
      tool       TEXT,
      output     TEXT NOT NULL,
      created_at INTEGER NOT NULL
    );

    CREATE TABLE settings (
      key   TEXT PRIMARY KEY,
      value TEXT NOT NULL
    );

    -- One row per (run, node): a pending request (decided_at NULL) or a decision not yet
    -- taken up by the waiting node (consumed 0). Another process (awe approve) may write it.
    CREATE TABLE approvals (
      run_id       TEXT NOT NULL REFERENCES runs (id) ON DELETE CASCADE,
      node_id      TEXT NOT NULL,
      approved     INTEGER,
      comment      TEXT,
      requested_at INTEGER,
      decided_at   INTEGER,
      consumed     INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (run_id, node_id)
    ) WITHOUT ROWID;
  `,
};
