/**
 * Opens the SQLite file: WAL, foreign keys, a busy timeout (the CLI and a running
 * `awe serve` may share a data folder), and the numbered migrations.
 */
import Database from 'better-sqlite3';
import type { EngineLogger } from '../observe/logger';
import { MIGRATIONS, type Migration } from './migrations';

export type SqliteDatabase = Database.Database;

/** Statements slower than this are logged with their name. */
export const SLOW_STATEMENT_MS = 50;

export interface OpenDatabaseOptions {
  /** Migrations to apply (tests pass extra ones). @default MIGRATIONS */
  migrations?: readonly Migration[];
  /** How long a writer waits for another process's lock before failing. @default 5000 */
  busyTimeoutMs?: number;
}

export function openDatabase(file: string, options: OpenDatabaseOptions = {}): SqliteDatabase {
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a committed transaction is in the WAL file (the OS page cache)
    // before commit returns, so it survives the process being killed; only a power loss
    // or kernel crash can lose the last transactions. Run-state transitions raise it to
    // FULL (see Store.appendEvents) so a finished run is durable even then.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5000}`);
    migrate(db, options.migrations ?? MIGRATIONS);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

/** Applies every migration newer than the database's `user_version`, each in its own transaction. */
export function migrate(db: SqliteDatabase, migrations: readonly Migration[]): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const newest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  if (current > newest) {
    throw new Error(
      `the database schema is version ${current}, newer than this AWE understands (${newest}); upgrade AWE or use another data folder`,
    );
  }
  const pending = [...migrations].filter((m) => m.version > current).sort((a, b) => a.version - b.version);
  for (const m of pending) {
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }).immediate();
  }
  return pending.length;
}

/** Runs `fn`, telling `logger` when it takes longer than SLOW_STATEMENT_MS. */
export function timed<T>(name: string, fn: () => T, logger: EngineLogger): T {
  const start = performance.now();
  const result = fn();
  const ms = performance.now() - start;
  if (ms > SLOW_STATEMENT_MS) logger.warn(`store: slow statement ${name}: ${ms.toFixed(1)} ms`);
  return result;
}
