/**
 * Records a run bundle (bundle.ts, opened by bundle-import.ts) as a finished, read-only run,
 * all or nothing, without holding the event loop of the process that does it: `awe serve`
 * answers every other request and WebSocket meanwhile.
 *
 * Measured on a 50 MB bundle (10 × 5 MB artifacts, 40,000 events; `npx tsx bench/import.ts`),
 * done in place the loop stalled for the whole import (~490 ms at load 2.5 on 2 cores): opening
 * it (unzip ~40 ms, JSON and schema checks with the fold ~100 ms, sha256 ~30 ms) ~190 ms,
 * writing its files ~50 ms, the store's one transaction ~170 ms (40,000 rows). fflate's
 * asynchronous unzip would have moved only the inflating; a worker thread that opens the
 * bundle but hands its events back leaves the transaction and the events' deserialization
 * (~50 ms) on the loop. So one worker thread does both ends: it opens and checks the bundle,
 * and records it in one transaction on its own connection to the store (WAL: readers here
 * are not held; a writer here waits for that transaction, as it would for another process's).
 * This thread only chooses the ids and writes the artifact files, asynchronously; a failure
 * anywhere takes those files back. Through `awe serve` (compiled, a loaded 2-core machine), a
 * GET /health polled during a 50 MB import took at worst 0.9–2.5 s before, 0.12–0.26 s after.
 */
import { join } from 'node:path';
import type { Artifact, ImportedFrom } from '../../contract';
import { EngineError, type EngineErrorCode } from '../errors';
import type { EngineLogger } from '../observe/logger';
import type { Store, StoredArtifact } from '../store/store';
import { startWorker } from '../worker-thread';
import { safeFileName, type ArtifactFiles } from './artifacts';
import { DEFAULT_BUNDLE_LIMITS, openRunBundle, type BundleLimits, type OpenedBundle } from './bundle-import';
import { timeSortableId } from './ids';

/** An id an imported bundle may keep: what this engine makes (timeSortableId) and nothing stranger (no path or markup characters, bounded). */
const PLAIN_ID = /^[\w.-]{1,128}$/;

/** `type/subtype` with optional parameters, nothing a header could not carry. */
const MEDIA_TYPE = /^[\w!#$&^.+-]+\/[\w!#$&^.+-]+(?:\s*;\s*[\w!#$&^.+-]+=(?:[\w!#$&^.+-]+|"[^"\r\n]*"))*$/;

/** What the opened bundle holds that this thread needs: ids, names and the artifacts' bytes (moved, not copied). */
export interface BundleSummary {
  runId: string;
  artifacts: { id: string; nodeId: string; name: string; bytes: Uint8Array }[];
}

/** How the bundle is recorded here: the ids it gets and where its artifact files were written. */
export interface RecordPlan {
  runId: string;
  /** By the bundle's artifact id. */
  artifacts: Record<string, { id: string; relPath: string }>;
  workspaceDir: string;
  importedFrom: ImportedFrom;
}

/** Messages between this thread and bundle-import.worker.ts. */
export type WorkerMessage =
  | { type: 'opened'; summary: BundleSummary; exportedFrom?: OpenedBundle['exportedFrom'] }
  | { type: 'recorded' }
  | { type: 'failed'; code?: EngineErrorCode; message: string }
  | { type: 'log'; level: keyof EngineLogger; message: string };

export const summaryOf = (bundle: OpenedBundle): BundleSummary => ({
  runId: bundle.run.id,
  artifacts: bundle.artifacts.map(({ artifact, bytes }) => ({ id: artifact.id, nodeId: artifact.nodeId, name: artifact.name, bytes })),
});

/** Records an opened bundle as `plan` says, in one transaction (the store's importRun). */
export function recordBundle(store: Store, bundle: OpenedBundle, plan: RecordPlan): void {
  const { runId } = plan;
  // Names and types as a tool's save would have made them: the bundle's are whatever its maker wrote
  // (a right-to-left override in a name, a header line in a type).
  const local = (a: Artifact): Artifact => ({
    ...a,
    id: plan.artifacts[a.id]?.id ?? a.id,
    runId,
    name: safeFileName(a.name),
    mime: MEDIA_TYPE.test(a.mime) ? a.mime : 'application/octet-stream',
  });
  const events = bundle.events.map((e) => (e.type === 'artifact.created' ? { ...e, runId, artifact: local(e.artifact) } : { ...e, runId }));
  const stored: StoredArtifact[] = bundle.artifacts.map(({ artifact }) => ({ ...local(artifact), relPath: plan.artifacts[artifact.id].relPath }));
  const { run } = bundle;
  const row = { id: runId, workflow: run.snapshot, inputs: run.inputs, workspaceDir: plan.workspaceDir, ownerPid: process.pid, startedAt: run.startedAt };
  store.importRun(row, events, stored, plan.importedFrom);
}

/** The bundle's two steps, wherever they run: open (and check), then record as planned. */
interface Session {
  opened: Promise<{ summary: BundleSummary; exportedFrom?: OpenedBundle['exportedFrom'] }>;
  record(plan: RecordPlan): Promise<void>;
  end(): void;
}

/** The bundle's id, unless it is not a plain id or this store has one by that id. */
const keptOrFresh = (original: string, prefix: string, taken: (id: string) => boolean): string =>
  !PLAIN_ID.test(original) || taken(original) ? timeSortableId(prefix) : original;

export class RunImports {
  /**
   * The import last asked for. Imports run one at a time, in the order they came: a bundle may
   * unpack to 512 MB (DEFAULT_BUNDLE_LIMITS), and uploads at once must not hold that many times
   * over. The engine's close waits for it (stopping one mid-commit could leave a recorded run
   * without its files).
   */
  private last: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dataDir: string,
    private readonly store: Store,
    private readonly artifacts: ArtifactFiles,
    private readonly logger: EngineLogger,
    private readonly limits: BundleLimits = DEFAULT_BUNDLE_LIMITS,
  ) {}

  /** See Engine.importRunBundle. */
  import(zip: Uint8Array, options: { fileName?: string } = {}): Promise<{ runId: string; originalRunId: string }> {
    const done = this.last.then(() => this.run(zip, options));
    this.last = done.catch(() => undefined);
    return done;
  }

  /** Waits for the imports asked for so far. */
  async close(): Promise<void> {
    await this.last;
  }

  private async run(zip: Uint8Array, options: { fileName?: string }): Promise<{ runId: string; originalRunId: string }> {
    const session = this.session(zip);
    const written: string[] = [];
    let runId: string | undefined;
    try {
      const { summary, exportedFrom } = await session.opened;
      // The rule: the run keeps its id unless this store has one by that id (a second import of
      // the same bundle, or a clash) or it is not a plain id; then it gets a fresh one. Artifact ids likewise.
      runId = keptOrFresh(summary.runId, 'r', (id) => this.store.getRun(id) !== undefined);
      const artifacts: RecordPlan['artifacts'] = {};
      for (const a of summary.artifacts) {
        const id = keptOrFresh(a.id, 'a', (candidate) => this.store.getArtifact(candidate) !== undefined);
        const relPath = await this.artifacts.importFile(runId, a.nodeId, a.name, a.bytes);
        written.push(relPath);
        artifacts[a.id] = { id, relPath };
      }
      const importedFrom: ImportedFrom = {
        originalRunId: summary.runId,
        ...(options.fileName ? { fileName: options.fileName } : {}),
        ...(exportedFrom?.host ? { host: exportedFrom.host } : {}),
        ...(exportedFrom?.exportedAt !== undefined ? { exportedAt: exportedFrom.exportedAt } : {}),
        importedAt: Date.now(),
      };
      await session.record({ runId, artifacts, workspaceDir: join(this.dataDir, 'workspaces', runId), importedFrom });
      return { runId, originalRunId: summary.runId };
    } catch (err) {
      if (runId !== undefined) await this.artifacts.removeImported(runId, written);
      throw err;
    } finally {
      session.end();
    }
  }

  /** On a worker thread; in place (holding the loop) where none can start. */
  private session(zip: Uint8Array): Session {
    // workerData is copied: the caller's bytes stay usable.
    const worker = startWorker(import.meta.url, './bundle-import.worker', { zip, limits: this.limits, dataDir: this.dataDir });
    if (!worker) return this.inPlace(zip);
    let waiting: { resolve(message: WorkerMessage): void; reject(err: Error): void } | undefined;
    let stopped: Error | undefined;
    const next = () =>
      new Promise<WorkerMessage>((resolve, reject) => {
        if (stopped) reject(stopped);
        else waiting = { resolve, reject };
      });
    const fail = (err: Error) => {
      stopped ??= err;
      waiting?.reject(stopped);
      waiting = undefined;
    };
    worker.on('message', (message: WorkerMessage) => {
      if (message.type === 'log') return this.logger[message.level](message.message);
      if (message.type === 'failed') return fail(message.code ? new EngineError(message.code, message.message) : new Error(message.message));
      waiting?.resolve(message);
      waiting = undefined;
    });
    worker.once('error', fail);
    worker.once('exit', (code) => fail(new Error(`the run import stopped before it finished (worker exit code ${code})`)));
    const opened = next().then((m) => {
      if (m.type !== 'opened') throw new Error(`the run import worker answered ${m.type} where the opened bundle was due`);
      return m;
    });
    return {
      opened,
      record: async (plan) => {
        const done = next();
        worker.postMessage(plan);
        if ((await done).type !== 'recorded') throw new Error('the run import worker did not say the run was recorded');
      },
      end: () => void worker.terminate(),
    };
  }

  private inPlace(zip: Uint8Array): Session {
    let bundle: OpenedBundle | undefined;
    const opened = (async () => {
      bundle = openRunBundle(zip, this.limits);
      return { summary: summaryOf(bundle), exportedFrom: bundle.exportedFrom };
    })();
    return {
      opened,
      record: async (plan) => recordBundle(this.store, bundle!, plan),
      end: () => undefined,
    };
  }
}
