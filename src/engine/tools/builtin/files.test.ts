import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolError } from '../../errors';
import { testToolContext } from '../tool-context.testkit';
import type { ToolSpec } from '../types';
import { fileListTool, fileReadTool, fileWriteTool, globToRegExp } from './files';

let sandbox: string; // holds the workspace and an "outside" folder next to it
let workspace: string;
let outside: string;

const context = () => testToolContext({ idempotencyKey: 'run1:node1:1', runId: 'run1', nodeId: 'node1', workspaceDir: workspace });
const call = async (tool: ToolSpec, raw: unknown) => tool.output.parse(await tool.run(tool.input.parse(raw), context()));
const failure = async (p: Promise<unknown>): Promise<ToolError> => {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ToolError);
  return err as ToolError;
};

beforeEach(async () => {
  sandbox = await mkdtemp(path.join(os.tmpdir(), 'awe-files-'));
  workspace = path.join(sandbox, 'workspace');
  outside = path.join(sandbox, 'outside');
  await mkdir(workspace);
  await mkdir(outside);
  await writeFile(path.join(outside, 'secret.txt'), 'top secret');
});
afterEach(() => rm(sandbox, { recursive: true, force: true }));

describe('file.write and file.read', () => {
  it('round-trips text and creates parent folders', async () => {
    expect(await call(fileWriteTool, { path: 'reports/q1/summary.md', content: '# Q1\n' })).toEqual({ path: 'reports/q1/summary.md', size: 5 });
    expect(await readFile(path.join(workspace, 'reports/q1/summary.md'), 'utf8')).toBe('# Q1\n');
    expect(await call(fileReadTool, { path: 'reports/q1/summary.md' })).toEqual({ path: 'reports/q1/summary.md', text: '# Q1\n', size: 5, bytes: 5, truncated: false });
  });

  it('appends, writes JSON values, and round-trips base64', async () => {
    await call(fileWriteTool, { path: 'log.txt', content: 'a\n' });
    expect(await call(fileWriteTool, { path: 'log.txt', content: 'b\n', append: true })).toMatchObject({ size: 4 });
    expect(await readFile(path.join(workspace, 'log.txt'), 'utf8')).toBe('a\nb\n');
    await call(fileWriteTool, { path: 'data.json', content: { rows: [1, 2] } });
    expect(JSON.parse(await readFile(path.join(workspace, 'data.json'), 'utf8'))).toEqual({ rows: [1, 2] });
    const bytes = Buffer.from([0, 1, 2, 250, 255]).toString('base64');
    await call(fileWriteTool, { path: 'blob.bin', content: bytes, encoding: 'base64' });
    expect(await call(fileReadTool, { path: 'blob.bin', encoding: 'base64' })).toMatchObject({ base64: bytes, size: 5 });
  });

  it('cuts reads at maxBytes and reports the full size', async () => {
    await writeFile(path.join(workspace, 'big.txt'), 'y'.repeat(5000));
    expect(await call(fileReadTool, { path: 'big.txt', maxBytes: 100 })).toMatchObject({ path: 'big.txt', text: 'y'.repeat(100), size: 5000, bytes: 100, truncated: true });
  });

  it('names a missing file', async () => {
    const err = await failure(call(fileReadTool, { path: 'nope.txt' }));
    expect(err).toMatchObject({ class: 'permanent', code: 'NOT_FOUND' });
    expect(err.message).toContain("'nope.txt'");
  });
});

describe('workspace confinement', () => {
  it('refuses .. escapes for every file tool and writes nothing outside', async () => {
    for (const [tool, input] of [
      [fileReadTool, { path: '../outside/secret.txt' }],
      [fileWriteTool, { path: '../outside/pwned.txt', content: 'x' }],
      [fileWriteTool, { path: 'a/../../outside/pwned.txt', content: 'x' }],
      [fileListTool, { path: '..' }],
    ] as const) {
      const err = await failure(call(tool, input));
      expect(err).toMatchObject({ class: 'permanent', code: 'PATH_OUTSIDE_WORKSPACE' });
      expect(err.message).toContain(`path '${input.path}' escapes the workspace`);
    }
    expect(await readdir(outside)).toEqual(['secret.txt']);
  });

  it('refuses absolute paths', async () => {
    const target = path.join(outside, 'secret.txt');
    const err = await failure(call(fileReadTool, { path: target }));
    expect(err).toMatchObject({ class: 'permanent', code: 'PATH_OUTSIDE_WORKSPACE' });
    expect(err.message).toContain('is absolute');
    await failure(call(fileWriteTool, { path: path.join(outside, 'pwned.txt'), content: 'x' }));
    expect(existsSync(path.join(outside, 'pwned.txt'))).toBe(false);
  });

  it('refuses symlinks that lead outside, for reading and for writing through them', async () => {
    await symlink(outside, path.join(workspace, 'door'), 'dir');
    await symlink(path.join(outside, 'secret.txt'), path.join(workspace, 'secret-link.txt'));
    const read = await failure(call(fileReadTool, { path: 'secret-link.txt' }));
    expect(read.message).toContain("path 'secret-link.txt' escapes the workspace through a symbolic link");
    await failure(call(fileReadTool, { path: 'door/secret.txt' }));
    const write = await failure(call(fileWriteTool, { path: 'door/new/pwned.txt', content: 'x' }));
    expect(write.code).toBe('PATH_OUTSIDE_WORKSPACE');
    await failure(call(fileWriteTool, { path: 'secret-link.txt', content: 'overwritten' }));
    expect(await readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
    expect(await readdir(outside)).toEqual(['secret.txt']);
  });

  it('follows symlinks that stay inside', async () => {
    await writeFile(path.join(workspace, 'real.txt'), 'inside');
    await symlink(path.join(workspace, 'real.txt'), path.join(workspace, 'alias.txt'));
    expect(await call(fileReadTool, { path: 'alias.txt' })).toMatchObject({ text: 'inside' });
  });
});

describe('file.list', () => {
  beforeEach(async () => {
    await mkdir(path.join(workspace, 'data/2024'), { recursive: true });
    await writeFile(path.join(workspace, 'data/a.csv'), 'a,b\n');
    await writeFile(path.join(workspace, 'data/notes.txt'), 'n');
    await writeFile(path.join(workspace, 'data/2024/b.csv'), 'x,y,z\n');
    await writeFile(path.join(workspace, 'top.csv'), '1');
    await symlink(outside, path.join(workspace, 'door'), 'dir');
  });

  it('lists one folder with types and sizes, hiding links that lead outside', async () => {
    expect(await call(fileListTool, {})).toEqual({
      entries: [
        { path: 'data', type: 'dir', size: 0 },
        { path: 'top.csv', type: 'file', size: 1 },
      ],
      truncated: false,
    });
  });

  it('walks recursively and filters by a name pattern', async () => {
    const out = await call(fileListTool, { path: 'data', recursive: true, glob: '*.csv' });
    expect(out.entries.map((e: { path: string }) => e.path)).toEqual(['data/a.csv', 'data/2024/b.csv']);
  });

  it('stops at maxEntries and says the list was cut', async () => {
    const out = await call(fileListTool, { recursive: true, maxEntries: 2 });
    expect(out.entries).toHaveLength(2);
    expect(out.truncated).toBe(true);
  });

  it('matches * and ? only within a name', () => {
    expect(globToRegExp('*.csv').test('a.csv')).toBe(true);
    expect(globToRegExp('*.csv').test('a.csv.bak')).toBe(false);
    expect(globToRegExp('data/*.csv').test('data/2024/b.csv')).toBe(false);
    expect(globToRegExp('file?.txt').test('file1.txt')).toBe(true);
  });
});
