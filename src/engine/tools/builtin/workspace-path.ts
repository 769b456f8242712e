/**
 * Confines file tools to the run's workspace. A plan (possibly written by an LLM) names
 * paths; none of them may reach outside the folder the user gave the run, whether by an
 * absolute path, `..`, or a symlink inside the workspace that points elsewhere.
 */
import { lstat, readlink, realpath } from 'node:fs/promises';
import path from 'node:path';
import { permanent } from '../../errors';

const escapes = (rel: string) => rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel);

/** Symbolic links followed while resolving one path before giving up (Linux's own limit is 40). */
const MAX_LINK_HOPS = 40;

/**
 * The real path of `p`, or of its nearest existing ancestor joined with the missing rest.
 * A dangling symbolic link is not a missing component: writing through it would create its
 * target, so its target is resolved in turn (`ws/dangling → ../outside/x.txt` resolves outside).
 */
async function realpathOfNearest(p: string, label = p, hops = 0): Promise<string> {
  const missing: string[] = [];
  let current = p;
  for (;;) {
    try {
      return path.join(await realpath(current), ...missing.reverse());
    } catch (err) {
      const code = (err as { code?: string }).code;
      if (code === 'ELOOP') throw permanent('SYMLINK_LOOP', `too many symbolic links while resolving '${label}' (a link loop?)`, { cause: err });
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      const link = await lstat(current).then(
        // The link may vanish between lstat and readlink (a concurrent swap): then it is just missing.
        (info) => (info.isSymbolicLink() ? readlink(current).catch(() => undefined) : undefined),
        () => undefined,
      );
      if (link !== undefined) {
        if (hops >= MAX_LINK_HOPS) throw permanent('SYMLINK_LOOP', `too many symbolic links while resolving '${label}'`);
        const target = await realpathOfNearest(path.resolve(path.dirname(current), link), label, hops + 1);
        return path.join(target, ...missing.reverse());
      }
      const parent = path.dirname(current);
      if (parent === current) throw err;
      missing.push(path.basename(current));
      current = parent;
    }
  }
}

/**
 * Resolves a workspace-relative path to an absolute one inside `workspaceDir`.
 * @throws permanent `PATH_OUTSIDE_WORKSPACE` naming the path when it would leave the workspace.
 */
export async function resolveInWorkspace(workspaceDir: string, userPath: string): Promise<string> {
  if (userPath.includes('\0')) throw permanent('BAD_PATH', `path '${userPath.replace(/\0/g, '\\0')}' contains a NUL character`);
  if (path.isAbsolute(userPath) || path.win32.isAbsolute(userPath)) {
    throw permanent('PATH_OUTSIDE_WORKSPACE', `path '${userPath}' is absolute; file tools take paths relative to the workspace`);
  }
  const root = path.resolve(workspaceDir);
  const target = path.resolve(root, userPath);
  if (escapes(path.relative(root, target))) {
    throw permanent('PATH_OUTSIDE_WORKSPACE', `path '${userPath}' escapes the workspace`);
  }
  const realRoot = await realpathOfNearest(root);
  const realTarget = await realpathOfNearest(target, userPath);
  if (escapes(path.relative(realRoot, realTarget))) {
    throw permanent('PATH_OUTSIDE_WORKSPACE', `path '${userPath}' escapes the workspace through a symbolic link (it resolves to '${realTarget}')`);
  }
  return realTarget;
}

/** The workspace-relative, forward-slash form shown to users and passed between nodes. */
export async function workspaceRelative(workspaceDir: string, absolute: string): Promise<string> {
  const realRoot = await realpathOfNearest(path.resolve(workspaceDir));
  const rel = path.relative(realRoot, absolute);
  return rel === '' ? '.' : rel.split(path.sep).join('/');
}
