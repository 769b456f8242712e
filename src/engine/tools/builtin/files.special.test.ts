/**
 * FIFOs and devices in the workspace: opening a FIFO for reading blocks until a writer
 * appears, so the file tools must refuse them without ever blocking (each test has a short
 * timeout: a hang fails it).
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolError } from '../../errors';
import { testToolContext } from '../tool-context.testkit';
import type { ToolSpec } from '../types';
import { fileListTool, fileReadTool, fileWriteTool } from './files';

let workspace: string;
beforeEach(async () => {
  workspace = await mkdtemp(path.join(os.tmpdir(), 'awe-file-special-'));
  await writeFile(path.join(workspace, 'a.txt'), 'a');
});
afterEach(() => rm(workspace, { recursive: true, force: true }));

const call = async (tool: ToolSpec, raw: unknown) => tool.output.parse(await tool.run(tool.input.parse(raw), testToolContext({ workspaceDir: workspace })));
const failure = async (p: Promise<unknown>): Promise<ToolError> => {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ToolError);
  return err as ToolError;
};
const mkfifo = (p: string) => execFileSync('mkfifo', [p]);
const isRoot = process.getuid?.() === 0;

describe.skipIf(process.platform === 'win32')('FIFOs in the workspace', () => {
  it('file.read refuses a FIFO without waiting for a writer', { timeout: 5000 }, async () => {
    mkfifo(path.join(workspace, 'pipe'));
    const err = await failure(call(fileReadTool, { path: 'pipe' }));
    expect(err).toMatchObject({ class: 'permanent', code: 'NOT_A_REGULAR_FILE' });
    expect(err.message).toContain("'pipe' is a FIFO (named pipe), not a regular file");
  });

  it('file.read refuses a symbolic link to a FIFO inside the workspace', { timeout: 5000 }, async () => {
    await mkdir(path.join(workspace, 'sub'));
    mkfifo(path.join(workspace, 'sub', 'pipe'));
    await symlink('sub/pipe', path.join(workspace, 'innocent.txt'));
    expect((await failure(call(fileReadTool, { path: 'innocent.txt' }))).code).toBe('NOT_A_REGULAR_FILE');
  });

  it('file.write refuses a FIFO without waiting for a reader', { timeout: 5000 }, async () => {
    mkfifo(path.join(workspace, 'pipe'));
    for (const append of [false, true]) {
      expect((await failure(call(fileWriteTool, { path: 'pipe', content: 'x', append }))).code).toBe('NOT_A_REGULAR_FILE');
    }
  });

  it('file.list names FIFOs (direct and behind links) as skipped instead of listing them as files', { timeout: 5000 }, async () => {
    mkfifo(path.join(workspace, 'pipe'));
    await symlink('pipe', path.join(workspace, 'pipe-link'));
    expect(await call(fileListTool, { recursive: true })).toEqual({
      entries: [{ path: 'a.txt', type: 'file', size: 1 }],
      truncated: false,
      skipped: [
        { path: 'pipe', kind: 'FIFO (named pipe)' },
        { path: 'pipe-link', kind: 'FIFO (named pipe)' },
      ],
    });
  });
});

describe.skipIf(process.platform === 'win32')('devices', () => {
  it('refuses a link to /dev/zero (outside the workspace) without reading it', { timeout: 5000 }, async () => {
    await symlink('/dev/zero', path.join(workspace, 'zero'));
    expect((await failure(call(fileReadTool, { path: 'zero' }))).code).toBe('PATH_OUTSIDE_WORKSPACE');
    expect((await call(fileListTool, {})).entries).toEqual([{ path: 'a.txt', type: 'file', size: 1 }]);
  });

  // Making a device node needs root; as root, a /dev/zero twin inside the workspace.
  it.runIf(isRoot)('refuses a character device inside the workspace, and lists it as skipped', { timeout: 5000 }, async () => {
    execFileSync('mknod', [path.join(workspace, 'zero'), 'c', '1', '5']);
    const err = await failure(call(fileReadTool, { path: 'zero' }));
    expect(err).toMatchObject({ code: 'NOT_A_REGULAR_FILE' });
    expect(err.message).toContain('character device');
    expect((await failure(call(fileWriteTool, { path: 'zero', content: 'x' }))).code).toBe('NOT_A_REGULAR_FILE');
    expect((await call(fileListTool, {})).skipped).toEqual([{ path: 'zero', kind: 'character device' }]);
  });
});
