/**
 * Workspace folders: the folder a workflow's runs read and write (file tools stay inside
 * it). The person chooses one per workflow; until then runs use the "Samples" workspace,
 * a copy of resources/sample-workspace made under the data folder the first time it is
 * needed, so the example goals work on a fresh install.
 *
 * The choice is remembered in the store, keyed by workflow id, and never written into the
 * workflow document: a path is machine-specific (`/home/ada/q3` means nothing on a
 * colleague's laptop), and a shared `*.awe.json` must run wherever it is opened.
 */
import { cpSync, existsSync, mkdirSync, realpathSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { badRequest } from '../errors';
import type { KeyValue } from '../settings/key-value';

/**
 * resources/sample-workspace of the nearest folder above this module that has one: the same
 * answer from the sources (src/engine/runs), the bundled out/main and a compiled CLI.
 */
export const SAMPLE_WORKSPACE_SOURCE = findResource(import.meta.dirname, join('resources', 'sample-workspace'));

function findResource(from: string, name: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, name))) return join(dir, name);
    if (dirname(dir) === dir) return resolve(from, '..', '..', name);
  }
}

/** Where the Samples copy lives, under the data folder (run ids start with `r`, so no clash). */
export const SAMPLES_FOLDER = 'Samples';

export interface WorkspaceInfo {
  /** Absolute path of the folder. */
  path: string;
  /** True while the workflow uses the Samples workspace because none was chosen. */
  isDefault: boolean;
}

const keyOf = (workflowId: string) => `workspace:${workflowId}`;

const badInput = badRequest;

/**
 * The folder at `path`, resolved to its real absolute path, or an error a person can act
 * on: relative paths, missing folders and files are refused with what was typed.
 */
export function checkWorkspaceFolder(path: string): string {
  const typed = expandHome(path.trim());
  if (!typed) throw badInput('Type the path of a folder for the workspace.');
  if (!isAbsolute(typed)) throw badInput(`The workspace must be an absolute path (starting with / or a drive letter), not "${typed}".`);
  let stats;
  try {
    stats = statSync(typed);
  } catch {
    throw badInput(`The folder "${typed}" does not exist.`);
  }
  if (!stats.isDirectory()) throw badInput(`"${typed}" is a file, not a folder.`);
  return realpathSync(typed);
}

/** `~` and `~/…` mean the home folder, as in a shell. */
function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/') || path.startsWith('~\\')) return join(homedir(), path.slice(2));
  return path;
}

export class Workspaces {
  constructor(
    private readonly dataDir: string,
    private readonly kv: KeyValue,
    private readonly samplesSource: string = SAMPLE_WORKSPACE_SOURCE,
  ) {}

  /** The Samples workspace, copied from the shipped samples on first use and never overwritten. */
  samples(): string {
    const dir = join(this.dataDir, 'workspaces', SAMPLES_FOLDER);
    if (!existsSync(dir)) {
      mkdirSync(join(this.dataDir, 'workspaces'), { recursive: true });
      // Copy next to the target, then rename: a crash mid-copy leaves no half-filled Samples.
      const partial = `${dir}.partial-${process.pid}`;
      rmSync(partial, { recursive: true, force: true });
      if (existsSync(this.samplesSource)) cpSync(this.samplesSource, partial, { recursive: true });
      else mkdirSync(partial, { recursive: true });
      try {
        renameSync(partial, dir);
      } catch (err) {
        // Another process made it first: keep theirs.
        rmSync(partial, { recursive: true, force: true });
        if (!existsSync(dir)) throw err;
      }
    }
    return dir;
  }

  /** The workflow's workspace: the chosen folder, or Samples when none was chosen. */
  of(workflowId: string): WorkspaceInfo {
    const chosen = this.kv.get(keyOf(workflowId));
    if (typeof chosen === 'string' && chosen) return { path: chosen, isDefault: false };
    return { path: this.samples(), isDefault: true };
  }

  /** Remembers `path` (checked) for the workflow; an empty path goes back to Samples. */
  choose(workflowId: string, path: string): WorkspaceInfo {
    if (!path.trim()) {
      this.kv.set(keyOf(workflowId), undefined);
      return this.of(workflowId);
    }
    const folder = checkWorkspaceFolder(path);
    this.kv.set(keyOf(workflowId), folder);
    return { path: folder, isDefault: false };
  }

  /**
   * The folder a run of the workflow uses, checked again: a folder chosen last week may
   * have been moved or deleted since.
   */
  forRun(workflowId: string): string {
    const { path, isDefault } = this.of(workflowId);
    if (isDefault) return path;
    try {
      return checkWorkspaceFolder(path);
    } catch (err) {
      throw badInput(`The workspace of this workflow cannot be used: ${(err as Error).message} Choose another folder with the Workspace button.`);
    }
  }
}
