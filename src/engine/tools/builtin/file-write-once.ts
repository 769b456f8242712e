/**
 * `file.write`'s effect, applied once per idempotency key. The engine records a node's success
 * after the tool returns; a kill in between makes the resumed run call the tool again with
 * the same key. An overwrite repeated is harmless, an append repeated duplicates its text:
 * the ledger (applied-keys.ts) remembers what was applied, and after a kill the file itself
 * says whether the bytes already landed.
 */
import type { FileHandle } from 'node:fs/promises';
import type { ToolContext } from '../types';
import { AppliedKeys, sha256, serialized, type AppliedRecord } from './applied-keys';
import { fsError, openForWrite } from './workspace-file';
import { workspaceRelative } from './workspace-path';

export interface WriteResult {
  path: string;
  size: number;
  /** True when an earlier call with the same idempotency key already made this write. */
  alreadyApplied?: boolean;
}

interface WriteDetail {
  append: boolean;
  /** File size just before the write: where appended bytes start. */
  offset: number;
  length: number;
  sha256: string;
}

/** Writes to one file are serialised in this process, so "size before" is where an append lands. */
const fileLocks = new Map<string, Promise<unknown>>();

/** Reads `length` bytes at `position` (fewer at end of file). */
async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return buffer.subarray(0, done);
}

/**
 * How many of `data`'s bytes an interrupted earlier attempt (its `intent` record) already put
 * in place: all of them, a prefix (killed mid-append), or none (killed before writing).
 */
async function bytesAlreadyWritten(handle: FileHandle, detail: WriteDetail, data: Buffer, size: number): Promise<number> {
  if (!detail.append) {
    if (size !== data.byteLength) return 0;
    return sha256(await readAt(handle, 0, size)) === detail.sha256 ? data.byteLength : 0;
  }
  const end = Math.min(size, detail.offset + data.byteLength);
  if (end <= detail.offset) return 0;
  const landed = await readAt(handle, detail.offset, end - detail.offset);
  if (!landed.equals(data.subarray(0, landed.byteLength))) return 0;
  // A prefix followed by other writes cannot be completed in place; count it as applied rather than duplicate it.
  return landed.byteLength === data.byteLength || end < size ? data.byteLength : landed.byteLength;
}

const matching = (found: AppliedRecord | undefined, fingerprint: string) => (found?.tool === 'file.write' && found.fingerprint === fingerprint ? found : undefined);

export async function writeOnce(ctx: ToolContext, userPath: string, data: Buffer, append: boolean): Promise<WriteResult> {
  const key = ctx.idempotencyKey;
  const dataSha = sha256(data);
  const fingerprint = sha256(JSON.stringify([userPath, append, dataSha]));
  const skip = (earlier: AppliedRecord): WriteResult => {
    ctx.log('info', `not ${append ? 'appending to' : 'writing'} ${userPath} again: already applied under idempotency key ${key}`);
    return { ...(earlier.result as WriteResult), alreadyApplied: true };
  };
  // Done is final: answer before opening (which would recreate a file deleted since).
  const ledger = await AppliedKeys.of(ctx.workspaceDir).catch((err) => fsError(err, userPath));
  const done = matching(await ledger.get(key), fingerprint);
  if (done?.state === 'done') return skip(done);
  const { handle, absolute } = await openForWrite(ctx.workspaceDir, userPath, append);
  try {
    return await serialized(fileLocks, absolute, async () => {
      const found = await ledger.get(key);
      const earlier = matching(found, fingerprint);
      if (found && !earlier) ctx.log('warn', `idempotency key ${key} was used for a different write before; applying this one`);
      if (earlier?.state === 'done') return skip(earlier);
      const sizeBefore = (await handle.stat()).size;
      const landed = earlier ? await bytesAlreadyWritten(handle, earlier.detail as unknown as WriteDetail, data, sizeBefore) : 0;
      const detail: WriteDetail = earlier && landed > 0 ? (earlier.detail as unknown as WriteDetail) : { append, offset: sizeBefore, length: data.byteLength, sha256: dataSha };
      if (landed === 0) await ledger.put({ key, tool: 'file.write', fingerprint, state: 'intent', detail: { ...detail } });
      if (landed < data.byteLength) {
        if (!append) await handle.truncate(0);
        // O_APPEND puts appended bytes at the end; an overwrite starts at 0 (nothing moved the position).
        await handle.writeFile(data.subarray(landed));
      }
      const { size } = await handle.stat();
      const result: WriteResult = { path: await workspaceRelative(ctx.workspaceDir, absolute), size };
      await ledger.put({ key, tool: 'file.write', fingerprint, state: 'done', detail: { ...detail }, result });
      if (landed === data.byteLength) ctx.log('info', `${userPath} already had this write from an interrupted attempt (idempotency key ${key})`);
      else ctx.log('info', `${append ? 'appended' : 'wrote'} ${data.byteLength - landed} bytes to ${userPath}`);
      return landed === data.byteLength ? { ...result, alreadyApplied: true } : result;
    });
  } catch (err) {
    fsError(err, userPath);
  } finally {
    await handle.close();
  }
}
