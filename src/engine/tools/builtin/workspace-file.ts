/**
 * Opening workspace files for the file tools. Only regular files: a FIFO blocks `open` until
 * a writer appears (the run, and the CLI, hang), a device such as /dev/zero never ends.
 * Writes are checked again after the file is open, because a path checked by name can change
 * (a folder swapped for a symbolic link) before the open happens.
 */
import { constants, type Stats } from 'node:fs';
import { lstat, mkdir, open, readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { permanent } from '../../errors';
import { AWE_FOLDER } from './applied-keys';
import { resolveInWorkspace } from './workspace-path';

// Not defined on Windows, where symbolic links are rare and need privileges to create.
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;
// Opening a FIFO without a peer returns at once (reading) or fails with ENXIO (writing).
const O_NONBLOCK = constants.O_NONBLOCK ?? 0;

/** What a non-regular file is, in words a person knows. */
export function fileKind(info: Stats): string {
  if (info.isFile()) return 'file';
  if (info.isDirectory()) return 'folder';
  if (info.isFIFO()) return 'FIFO (named pipe)';
  if (info.isSocket()) return 'socket';
  if (info.isCharacterDevice()) return 'character device';
  if (info.isBlockDevice()) return 'block device';
  if (info.isSymbolicLink()) return 'symbolic link';
  return 'special file';
}

function refuseNonRegular(info: Stats, userPath: string): void {
  if (info.isFile()) return;
  if (info.isDirectory()) throw permanent('IS_A_DIRECTORY', `'${userPath}' is a folder, not a file`);
  throw permanent('NOT_A_REGULAR_FILE', `'${userPath}' is a ${fileKind(info)}, not a regular file; file tools only read and write regular files`);
}

export function fsError(err: unknown, userPath: string): never {
  const code = (err as { code?: string }).code;
  if (code === 'ENOENT') throw permanent('NOT_FOUND', `'${userPath}' does not exist in the workspace`, { cause: err });
  if (code === 'EISDIR') throw permanent('IS_A_DIRECTORY', `'${userPath}' is a folder, not a file`, { cause: err });
  if (code === 'ENOTDIR') throw permanent('NOT_A_DIRECTORY', `a parent of '${userPath}' is a file, not a folder`, { cause: err });
  if (code === 'EACCES' || code === 'EPERM') throw permanent('ACCESS_DENIED', `no permission to access '${userPath}'`, { cause: err });
  if (code === 'ENXIO') throw permanent('NOT_A_REGULAR_FILE', `'${userPath}' is not a regular file`, { cause: err });
  // O_NOFOLLOW met a symbolic link that appeared after the path was checked.
  if (code === 'ELOOP') throw permanent('PATH_CHANGED', `'${userPath}' became a symbolic link while it was being opened`, { cause: err });
  throw err;
}

const sameFile = (a: Stats, b: Stats) => a.dev === b.dev && a.ino === b.ino;

/** Where the kernel says an open file is (Linux); a path-based check would race with a folder swap. */
async function kernelPathOf(handle: FileHandle): Promise<string | undefined> {
  if (process.platform !== 'linux') return undefined;
  return readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
}

/**
 * The real path of an open file, checked to be inside the workspace: a folder on the way
 * swapped for a symbolic link between the check and the open is caught. On Linux the kernel
 * names the open file; elsewhere its real path must name the same inode before and after.
 */
async function verifyOpened(workspaceDir: string, absolute: string, handle: FileHandle, opened: Stats, userPath: string): Promise<string> {
  const realRoot = await realpath(path.resolve(workspaceDir));
  const isInside = (p: string) => {
    const rel = path.relative(realRoot, p);
    return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel);
  };
  const changed = () =>
    permanent('PATH_OUTSIDE_WORKSPACE', `path '${userPath}' changed while it was being opened and no longer leads to a file inside the workspace`);
  const kernelPath = await kernelPathOf(handle);
  if (kernelPath !== undefined) {
    if (!isInside(kernelPath)) throw changed();
    return kernelPath;
  }
  const real = await realpath(absolute).catch((err) => fsError(err, userPath));
  const named = isInside(real) ? await stat(real).catch(() => undefined) : undefined;
  const again = await realpath(absolute).catch(() => undefined);
  if (!named || !sameFile(named, opened) || again !== real) throw changed();
  return real;
}

/** Opens a regular workspace file for reading; refuses FIFOs, sockets and devices without blocking on them. */
export async function openForRead(workspaceDir: string, userPath: string): Promise<{ handle: FileHandle; absolute: string }> {
  const absolute = await resolveInWorkspace(workspaceDir, userPath);
  refuseNonRegular(await lstat(absolute).catch((err) => fsError(err, userPath)), userPath);
  const handle = await open(absolute, constants.O_RDONLY | O_NONBLOCK | O_NOFOLLOW).catch((err) => fsError(err, userPath));
  try {
    // The name may now point at something else than the file checked above.
    const opened = await handle.stat();
    refuseNonRegular(opened, userPath);
    return { handle, absolute: await verifyOpened(workspaceDir, absolute, handle, opened, userPath) };
  } catch (err) {
    await handle.close();
    throw err;
  }
}

/**
 * Opens (creating if needed) a regular workspace file for writing, without truncating it yet.
 * Refuses files with more than one hard link: the other name may be outside the workspace,
 * and writing through this one would change that file too.
 */
export async function openForWrite(workspaceDir: string, userPath: string, append: boolean): Promise<{ handle: FileHandle; absolute: string }> {
  await mkdir(workspaceDir, { recursive: true });
  const first = await resolveInWorkspace(workspaceDir, userPath);
  await mkdir(path.dirname(first), { recursive: true }).catch((err) => fsError(err, userPath));
  // Re-check after creating folders: a parent may have been swapped for a link meanwhile.
  const absolute = await resolveInWorkspace(workspaceDir, userPath);
  const rel = path.relative(await realpath(path.resolve(workspaceDir)), absolute).split(path.sep);
  if (rel[0] === AWE_FOLDER) throw permanent('RESERVED_PATH', `'${userPath}' is inside ${AWE_FOLDER}/, where AWE keeps its own records; file.write does not write there`);
  const existing = await lstat(absolute).catch(() => undefined);
  if (existing) refuseNonRegular(existing, userPath);
  // Read too: after a kill, file-write-once.ts reads back whether an earlier write landed.
  const flags = constants.O_RDWR | constants.O_CREAT | O_NOFOLLOW | O_NONBLOCK | (append ? constants.O_APPEND : 0);
  const handle = await open(absolute, flags, 0o666).catch((err) => fsError(err, userPath));
  try {
    const opened = await handle.stat();
    refuseNonRegular(opened, userPath);
    if (opened.nlink > 1) {
      throw permanent(
        'HARD_LINKED_FILE',
        `'${userPath}' has ${opened.nlink} hard links; file.write refuses to change it because the same bytes appear under other names, possibly outside the workspace`,
      );
    }
    // Resolve after creation: the file now exists, so its real path is exact.
    const real = await verifyOpened(workspaceDir, absolute, handle, opened, userPath);
    return { handle, absolute: real };
  } catch (err) {
    await handle.close();
    throw err;
  }
}
