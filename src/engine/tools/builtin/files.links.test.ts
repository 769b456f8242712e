/**
 * file.write through links, as an attacker would lay them out in a workspace: dangling
 * symbolic links (relative and absolute, chained, in the middle of a path), symlinked
 * folders, and hard links to files outside.
 */
import { existsSync } from 'node:fs';
import { link, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolError } from '../../errors';
import { testToolContext } from '../tool-context.testkit';
import type { ToolSpec } from '../types';
import { fileReadTool, fileWriteTool } from './files';

let sandbox: string;
let workspace: string;
let outside: string;

beforeEach(async () => {
  sandbox = await mkdtemp(path.join(os.tmpdir(), 'awe-file-links-'));
  workspace = path.join(sandbox, 'ws');
  outside = path.join(sandbox, 'outside');
  await mkdir(workspace);
  await mkdir(outside);
  await writeFile(path.join(outside, 'secret.txt'), 'top secret');
});
afterEach(() => rm(sandbox, { recursive: true, force: true }));

const call = async (tool: ToolSpec, raw: unknown) => tool.output.parse(await tool.run(tool.input.parse(raw), testToolContext({ workspaceDir: workspace })));
const failure = async (p: Promise<unknown>): Promise<ToolError> => {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ToolError);
  return err as ToolError;
};
const outsideUntouched = async () => {
  expect((await readdir(outside)).sort()).toEqual(['secret.txt']);
  expect(await readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
};

describe('file.write through dangling symbolic links', () => {
  it('refuses a relative dangling link to a missing file outside (ws/dangling → ../outside/x.txt)', async () => {
    await symlink('../outside/x.txt', path.join(workspace, 'dangling'));
    const err = await failure(call(fileWriteTool, { path: 'dangling', content: 'pwned' }));
    expect(err).toMatchObject({ class: 'permanent', code: 'PATH_OUTSIDE_WORKSPACE' });
    expect(err.message).toContain("path 'dangling' escapes the workspace through a symbolic link");
    await outsideUntouched();
  });

  it('refuses an absolute dangling link, for write, append and read', async () => {
    await symlink(path.join(outside, 'y.txt'), path.join(workspace, 'dangling-abs'));
    await failure(call(fileWriteTool, { path: 'dangling-abs', content: 'pwned' }));
    await failure(call(fileWriteTool, { path: 'dangling-abs', content: 'pwned', append: true }));
    expect((await failure(call(fileReadTool, { path: 'dangling-abs' }))).code).toBe('PATH_OUTSIDE_WORKSPACE');
    await outsideUntouched();
  });

  it('refuses a chain of dangling links that ends outside', async () => {
    await symlink('second', path.join(workspace, 'first'));
    await symlink('../outside/chained.txt', path.join(workspace, 'second'));
    expect((await failure(call(fileWriteTool, { path: 'first', content: 'pwned' }))).code).toBe('PATH_OUTSIDE_WORKSPACE');
    await outsideUntouched();
  });

  it('refuses a dangling link to a missing folder in the middle of the path', async () => {
    await symlink('../outside/made', path.join(workspace, 'reports'));
    expect((await failure(call(fileWriteTool, { path: 'reports/q1/summary.md', content: 'pwned' }))).code).toBe('PATH_OUTSIDE_WORKSPACE');
    await outsideUntouched();
  });

  it('writes through a dangling link whose target is inside, creating the target', async () => {
    await symlink('notes/today.md', path.join(workspace, 'today'));
    await mkdir(path.join(workspace, 'notes'));
    expect(await call(fileWriteTool, { path: 'today', content: '# Today\n' })).toEqual({ path: 'notes/today.md', size: 8 });
    expect(await readFile(path.join(workspace, 'notes/today.md'), 'utf8')).toBe('# Today\n');
  });

  it('refuses a link loop with a clear error', async () => {
    await symlink('loop-b', path.join(workspace, 'loop-a'));
    await symlink('loop-a', path.join(workspace, 'loop-b'));
    const err = await failure(call(fileWriteTool, { path: 'loop-a', content: 'x' }));
    expect(err).toMatchObject({ class: 'permanent', code: 'SYMLINK_LOOP' });
    expect(err.message).toContain("'loop-a'");
  });
});

describe('file.write through symlinked folders', () => {
  it('follows a symlinked folder in the middle of the path when it stays inside', async () => {
    await mkdir(path.join(workspace, 'real'));
    await symlink('real', path.join(workspace, 'alias'), 'dir');
    expect(await call(fileWriteTool, { path: 'alias/sub/x.txt', content: 'ok' })).toEqual({ path: 'real/sub/x.txt', size: 2 });
    expect(await readFile(path.join(workspace, 'real/sub/x.txt'), 'utf8')).toBe('ok');
  });

  it('refuses a symlinked folder in the middle of the path that leads outside', async () => {
    await mkdir(path.join(workspace, 'a'));
    await symlink('../../outside', path.join(workspace, 'a', 'door'), 'dir');
    expect((await failure(call(fileWriteTool, { path: 'a/door/new/x.txt', content: 'pwned' }))).code).toBe('PATH_OUTSIDE_WORKSPACE');
    expect((await failure(call(fileWriteTool, { path: 'a/door/secret.txt', content: 'pwned', append: true }))).code).toBe('PATH_OUTSIDE_WORKSPACE');
    await outsideUntouched();
  });
});

describe('file.write and hard links', () => {
  it('refuses to overwrite or append to a file hard-linked from outside', async () => {
    await link(path.join(outside, 'secret.txt'), path.join(workspace, 'innocent.txt'));
    for (const append of [false, true]) {
      const err = await failure(call(fileWriteTool, { path: 'innocent.txt', content: 'pwned', append }));
      expect(err).toMatchObject({ class: 'permanent', code: 'HARD_LINKED_FILE' });
      expect(err.message).toContain("'innocent.txt' has 2 hard links");
    }
    await outsideUntouched();
    expect((await stat(path.join(workspace, 'innocent.txt'))).size).toBe('top secret'.length);
  });

  it('still writes files with a single link', async () => {
    await writeFile(path.join(workspace, 'plain.txt'), 'old contents that are long');
    expect(await call(fileWriteTool, { path: 'plain.txt', content: 'new' })).toEqual({ path: 'plain.txt', size: 3 });
    expect(await readFile(path.join(workspace, 'plain.txt'), 'utf8')).toBe('new');
    expect(existsSync(path.join(outside, 'plain.txt'))).toBe(false);
  });
});

describe('a folder swapped for a link while file.write runs', () => {
  it('never writes content outside, however the swap and the write interleave', { timeout: 30_000 }, async () => {
    // The attacker flips ws/d between a real folder and a link to outside, as fast as it can.
    await mkdir(path.join(workspace, 'd'));
    await mkdir(path.join(workspace, 'd-real'));
    await symlink(outside, path.join(workspace, 'd-link'), 'dir');
    let swapping = true;
    const swapper = (async () => {
      let flips = 0;
      while (swapping) {
        await rename(path.join(workspace, 'd'), path.join(workspace, flips % 2 ? 'd-link' : 'd-real')).catch(() => {});
        await rename(path.join(workspace, flips % 2 ? 'd-real' : 'd-link'), path.join(workspace, 'd')).catch(() => {});
        flips++;
      }
      return flips;
    })();
    const outcomes = { written: 0, refused: 0 };
    try {
      for (let i = 0; i < 300; i++) {
        try {
          const input = fileWriteTool.input.parse({ path: 'd/x.txt', content: 'pwned', append: i % 2 === 1 });
          await fileWriteTool.run(input, testToolContext({ workspaceDir: workspace, idempotencyKey: `race:${i}` }));
          outcomes.written++;
        } catch (err) {
          expect(err).toBeInstanceOf(ToolError);
          outcomes.refused++;
        }
      }
    } finally {
      swapping = false;
    }
    expect(await swapper).toBeGreaterThan(10);
    const leaked = await readFile(path.join(outside, 'x.txt'), 'utf8').catch(() => '');
    expect(leaked).toBe(''); // at most an empty file created in the instant between check and open
    expect(await readFile(path.join(outside, 'secret.txt'), 'utf8')).toBe('top secret');
    expect(outcomes.written + outcomes.refused).toBe(300);
  });
});
