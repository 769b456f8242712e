/**
 * Which side effects a workspace has already received, by idempotency key: the ledger that
 * makes `file.write` exactly-once when a run is killed after the write but before the engine
 * recorded the node's success, and resumed (the same key comes back).
 *
 * One small JSON file per key under `<workspace>/.awe/applied/`, replaced atomically
 * (write a temporary file, then rename). A record is written as an `intent` before the effect
 * and as `done` after it; an `intent` found on resume means "the effect may or may not have
 * happened", and the tool checks the file itself to decide (see docs/tools.md).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { resolveInWorkspace } from './workspace-path';

/** The workspace folder AWE keeps its own bookkeeping in; file tools do not write into it. */
export const AWE_FOLDER = '.awe';

export interface AppliedRecord {
  key: string;
  tool: string;
  /** Hash of what the effect was (path, mode, content): the same key with another effect is not a repeat. */
  fingerprint: string;
  state: 'intent' | 'done';
  /** Tool-specific facts needed to tell, after a kill, whether the effect happened. */
  detail: Record<string, unknown>;
  /** The tool's output, returned again when the effect is skipped. */
  result?: unknown;
  at: number;
}

export const sha256 = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');

export class AppliedKeys {
  private constructor(private readonly dir: string) {}

  /** The ledger of `workspaceDir`; its folder is confined to the workspace like any path. */
  static async of(workspaceDir: string): Promise<AppliedKeys> {
    const dir = await resolveInWorkspace(workspaceDir, `${AWE_FOLDER}/applied`);
    await mkdir(dir, { recursive: true });
    return new AppliedKeys(dir);
  }

  private fileOf(key: string): string {
    return path.join(this.dir, `${sha256(key).slice(0, 40)}.json`);
  }

  async get(key: string): Promise<AppliedRecord | undefined> {
    try {
      const record = JSON.parse(await readFile(this.fileOf(key), 'utf8')) as AppliedRecord;
      return record.key === key ? record : undefined;
    } catch {
      return undefined; // missing, or torn by a crash mid-rename (never: rename is atomic) or edited by hand
    }
  }

  async put(record: Omit<AppliedRecord, 'at'>): Promise<void> {
    const file = this.fileOf(record.key);
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await writeFile(temp, JSON.stringify({ ...record, at: Date.now() }), { flag: 'wx' });
      await rename(temp, file);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }
}

/** Runs `fn` after every earlier call for the same `name` in this process has finished. */
export function serialized<T>(locks: Map<string, Promise<unknown>>, name: string, fn: () => Promise<T>): Promise<T> {
  const previous = locks.get(name) ?? Promise.resolve();
  const next = previous.then(fn, fn);
  const settled = next.then(
    () => undefined,
    () => undefined,
  );
  locks.set(name, settled);
  void settled.then(() => {
    if (locks.get(name) === settled) locks.delete(name);
  });
  return next;
}
