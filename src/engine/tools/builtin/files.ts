/**
 * `file.read`, `file.write`, `file.list`: the run's workspace folder as plans see it.
 * Every path is workspace-relative and confined to it (workspace-path.ts).
 */
import type { Stats } from 'node:fs';
import { lstat, readdir, realpath, stat, type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { permanent } from '../../errors';
import type { ToolContext, ToolSpec } from '../types';
import { AWE_FOLDER } from './applied-keys';
import { writeOnce } from './file-write-once';
import { fileKind, fsError, openForRead } from './workspace-file';
import { resolveInWorkspace, workspaceRelative } from './workspace-path';

/** @default 5 MB */
export const DEFAULT_FILE_MAX_BYTES = 5 * 1024 * 1024;
/** @default 1000 */
export const DEFAULT_LIST_MAX_ENTRIES = 1000;

// ---------------------------------------------------------------- file.read

/** The largest `maxBytes` a read may ask for: the text lands in the run's event log. @default 100 MB */
export const MAX_FILE_READ_BYTES = 100 * 1024 * 1024;
/** Reads go in chunks of this size, so memory follows the bytes actually read, never `maxBytes`. */
const READ_CHUNK_BYTES = 64 * 1024;

export const FileReadInput = z.object({
  path: z.string().min(1).describe('Path relative to the workspace.'),
  encoding: z.enum(['utf8', 'base64']).default('utf8'),
  maxBytes: z
    .number()
    .int()
    .positive()
    .max(MAX_FILE_READ_BYTES)
    .default(DEFAULT_FILE_MAX_BYTES)
    .describe('Read at most this many bytes (up to 100 MB); `truncated` says the file was longer.'),
});
export const FileReadOutput = z.object({
  path: z.string(),
  text: z.string().optional(),
  base64: z.string().optional(),
  /** The whole file's size in bytes. */
  size: z.number().int().min(0),
  /** Bytes returned in `text`/`base64`. */
  bytes: z.number().int().min(0).optional(),
  truncated: z.boolean(),
  /** Present when `truncated`: how much was read of how much, and how to read more. */
  note: z.string().optional(),
  /** The bytes were not valid UTF-8: each invalid sequence became U+FFFD in `text` (read as base64 to get the exact bytes). */
  invalidUtf8: z.boolean().optional(),
});

/** Reads up to `cap` bytes chunk by chunk; stops at end of file even when the file grows or shrinks meanwhile. */
async function readUpTo(handle: FileHandle, cap: number, signal: AbortSignal, start = 0): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  while (total < cap) {
    if (signal.aborted) throw signal.reason;
    const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK_BYTES, cap - total));
    const { bytesRead } = await handle.read(chunk, 0, chunk.byteLength, start + total);
    if (bytesRead === 0) break;
    chunks.push(bytesRead === chunk.byteLength ? chunk : chunk.subarray(0, bytesRead));
    total += bytesRead;
  }
  return Buffer.concat(chunks, total);
}

/** Where a cut at the end of `data` would split a multi-byte UTF-8 character: the length that keeps whole characters. */
export function utf8CompleteLength(data: Buffer): number {
  // A UTF-8 character is at most 4 bytes: look back at most 3 for the lead byte of the last one.
  for (let back = 1; back <= Math.min(4, data.byteLength); back++) {
    const byte = data[data.byteLength - back];
    if ((byte & 0xc0) === 0x80) continue; // continuation byte
    const need = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return need > back ? data.byteLength - back : data.byteLength;
  }
  return data.byteLength;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Decodes UTF-8, saying whether anything had to be replaced rather than replacing silently. */
export function decodeUtf8(data: Buffer): { text: string; invalidUtf8: boolean } {
  try {
    return { text: strictUtf8.decode(data), invalidUtf8: false };
  } catch {
    return { text: data.toString('utf8'), invalidUtf8: true };
  }
}

export const fileReadTool: ToolSpec<z.infer<typeof FileReadInput>, z.infer<typeof FileReadOutput>> = {
  name: 'file.read',
  title: 'Read file',
  description: 'Read a file from the workspace as UTF-8 text or base64, up to maxBytes.',
  version: '1',
  input: FileReadInput,
  output: FileReadOutput,
  effects: 'read',
  source: 'builtin',
  async run(input, ctx) {
    const { handle, absolute: abs } = await openForRead(ctx.workspaceDir, input.path);
    try {
      const { size } = await handle.stat().catch((err) => fsError(err, input.path));
      let data = await readUpTo(handle, input.maxBytes, ctx.signal).catch((err) => fsError(err, input.path));
      // The file may have grown since stat; one more byte tells whether there is more.
      const more = data.byteLength === input.maxBytes && (await readUpTo(handle, 1, ctx.signal, data.byteLength).catch(() => Buffer.alloc(0))).byteLength > 0;
      const truncated = more || size > data.byteLength;
      if (truncated && input.encoding === 'utf8') data = data.subarray(0, utf8CompleteLength(data));
      const rel = await workspaceRelative(ctx.workspaceDir, abs);
      const out: z.infer<typeof FileReadOutput> = { path: rel, size: Math.max(size, data.byteLength), bytes: data.byteLength, truncated };
      if (input.encoding === 'base64') out.base64 = data.toString('base64');
      else {
        const { text, invalidUtf8 } = decodeUtf8(data);
        out.text = text;
        if (invalidUtf8) {
          out.invalidUtf8 = true;
          ctx.log('warn', `${input.path} is not valid UTF-8: invalid bytes were replaced with U+FFFD (read it with encoding "base64" for the exact bytes)`);
        }
      }
      if (truncated) {
        out.note = `truncated: returned the first ${data.byteLength} of ${out.size} bytes; raise maxBytes (at most ${MAX_FILE_READ_BYTES}) to read more`;
      }
      return out;
    } finally {
      await handle.close();
    }
  },
};

// ---------------------------------------------------------------- file.write

export const FileWriteInput = z.object({
  path: z.string().min(1).describe('Path relative to the workspace; missing folders are created.'),
  content: z
    .union([z.string(), z.record(z.string(), z.unknown()), z.array(z.unknown())])
    .describe('Text (or base64 with encoding "base64"); objects and arrays are written as pretty JSON.'),
  encoding: z.enum(['utf8', 'base64']).default('utf8'),
  append: z.boolean().default(false),
});
export const FileWriteOutput = z.object({
  path: z.string(),
  /** The file's size in bytes after the write. */
  size: z.number().int().min(0),
  /** The same write was already made under this node's idempotency key (a resumed run): it was not repeated. */
  alreadyApplied: z.boolean().optional(),
});

function contentBytes(content: z.infer<typeof FileWriteInput>['content'], encoding: 'utf8' | 'base64'): Buffer {
  if (typeof content !== 'string') return Buffer.from(`${JSON.stringify(content, null, 2)}\n`, 'utf8');
  if (encoding === 'base64') {
    if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(content)) throw permanent('BAD_BASE64', 'content is not valid base64');
    return Buffer.from(content, 'base64');
  }
  return Buffer.from(content, 'utf8');
}

export const fileWriteTool: ToolSpec<z.infer<typeof FileWriteInput>, z.infer<typeof FileWriteOutput>> = {
  name: 'file.write',
  title: 'Write file',
  description: 'Write (or append) text, base64 bytes or JSON to a file in the workspace, creating folders as needed.',
  version: '1',
  input: FileWriteInput,
  output: FileWriteOutput,
  effects: 'write',
  source: 'builtin',
  run: (input, ctx) => writeOnce(ctx, input.path, contentBytes(input.content, input.encoding), input.append),
};

// ---------------------------------------------------------------- file.list

export const FileListInput = z.object({
  path: z.string().min(1).default('.').describe('Folder relative to the workspace.'),
  recursive: z.boolean().default(false),
  glob: z.string().optional().describe('Keep files whose name matches, e.g. "*.csv" (* and ? wildcards; a pattern with "/" matches the whole path).'),
  maxEntries: z.number().int().positive().default(DEFAULT_LIST_MAX_ENTRIES),
});
export const FileEntry = z.object({ path: z.string(), type: z.enum(['file', 'dir']), size: z.number().int().min(0) });
/** A FIFO, socket or device met while listing: named so the plan knows why it is missing from `entries`. */
export const SkippedEntry = z.object({ path: z.string(), kind: z.string() });
export const FileListOutput = z.object({
  entries: z.array(FileEntry),
  truncated: z.boolean(),
  /** Non-regular files (FIFOs, sockets, devices): left out of `entries` because file.read refuses them. At most 100 are named. */
  skipped: z.array(SkippedEntry).optional(),
});
/** How many skipped special files are named in file.list's output. */
const MAX_SKIPPED_NAMED = 100;

/** `*` and `?` wildcards; every other character is literal. */
export function globToRegExp(glob: string): RegExp {
  const body = glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  return new RegExp(`^${body}$`, process.platform === 'win32' ? 'i' : '');
}

async function listFolder(ctx: ToolContext, input: z.infer<typeof FileListInput>) {
  const start = await resolveInWorkspace(ctx.workspaceDir, input.path);
  const realRoot = await realpath(path.resolve(ctx.workspaceDir));
  const info = await stat(start).catch((err) => fsError(err, input.path));
  if (!info.isDirectory()) throw permanent('NOT_A_DIRECTORY', `'${input.path}' is a file, not a folder`);
  const pattern = input.glob ? globToRegExp(input.glob) : undefined;
  const matchesPath = input.glob?.includes('/') ?? false;
  const entries: z.infer<typeof FileEntry>[] = [];
  const skipped: z.infer<typeof SkippedEntry>[] = [];
  const skip = (rel: string, info: Stats | undefined) => {
    if (skipped.length < MAX_SKIPPED_NAMED) skipped.push({ path: rel, kind: info ? fileKind(info) : 'special file' });
  };
  let truncated = false;
  const queue = [start];
  while (queue.length > 0 && !truncated) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const dir = queue.shift()!;
    const children = (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name));
    for (const child of children) {
      if (dir === realRoot && child.name === AWE_FOLDER) continue; // AWE's own bookkeeping (applied-keys.ts)
      const abs = path.join(dir, child.name);
      const rel = path.relative(realRoot, abs).split(path.sep).join('/');
      let isDir = child.isDirectory();
      let size = 0;
      if (child.isSymbolicLink()) {
        // Links are listed only when they stay inside, and never descended (no loops).
        const target = await realpath(abs).catch(() => undefined);
        const inside = target && !path.relative(realRoot, target).startsWith('..') && !path.isAbsolute(path.relative(realRoot, target));
        if (!inside) continue;
        const targetInfo = await stat(target);
        if (!targetInfo.isFile() && !targetInfo.isDirectory()) {
          skip(rel, targetInfo);
          continue;
        }
        isDir = targetInfo.isDirectory();
        size = isDir ? 0 : targetInfo.size;
      } else if (child.isFile()) {
        size = (await lstat(abs)).size;
      } else if (!isDir) {
        // Sockets, FIFOs, devices: lstat never opens them, so this cannot block.
        skip(rel, await lstat(abs).catch(() => undefined));
        continue;
      }
      if (isDir && input.recursive && !child.isSymbolicLink()) queue.push(abs);
      const matches = !pattern || (!isDir && pattern.test(matchesPath ? rel : child.name));
      if (!matches) continue;
      if (entries.length >= input.maxEntries) {
        truncated = true;
        break;
      }
      entries.push({ path: rel, type: isDir ? 'dir' : 'file', size });
    }
  }
  return skipped.length > 0 ? { entries, truncated, skipped } : { entries, truncated };
}

export const fileListTool: ToolSpec<z.infer<typeof FileListInput>, z.infer<typeof FileListOutput>> = {
  name: 'file.list',
  title: 'List files',
  description: 'List files and folders in a workspace folder, optionally recursive and filtered by a name pattern like "*.csv".',
  version: '1',
  input: FileListInput,
  output: FileListOutput,
  effects: 'read',
  source: 'builtin',
  run: (input, ctx) => listFolder(ctx, input),
};

export const fileTools: ToolSpec[] = [fileReadTool, fileWriteTool, fileListTool];
