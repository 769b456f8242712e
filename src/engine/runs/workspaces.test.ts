/**
 * Workspace folders: the Samples copy, the per-workflow choice and its checks, and runs
 * started through the handlers reaching the person's files (issue 8, scenario 1), with
 * the real engine, the real offline planner and a real SQLite file.
 */
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkWorkspaceFolder, SAMPLE_WORKSPACE_SOURCE, Workspaces } from './workspaces';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'awe-workspaces-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const memoryKv = () => {
  const m = new Map<string, unknown>();
  return { get: (k: string) => m.get(k), set: (k: string, v: unknown) => (v === undefined ? m.delete(k) : m.set(k, v)) };
};

describe('Workspaces', () => {
  it('copies the shipped samples into the data folder on first use and never over the person’s edits', () => {
    const ws = new Workspaces(join(dir, 'data'), memoryKv());
    const info = ws.of('any-workflow');
    expect(info).toEqual({ path: join(dir, 'data', 'workspaces', 'Samples'), isDefault: true });
    const csv = readFileSync(join(info.path, 'data', 'customers.csv'), 'utf8');
    expect(csv).toBe(readFileSync(join(SAMPLE_WORKSPACE_SOURCE, 'data', 'customers.csv'), 'utf8'));
    // The sample data has what the example goals need: duplicate rows and Markdown files.
    const rows = csv.trim().split('\n').filter((l) => l.trim());
    expect(new Set(rows).size).toBeLessThan(rows.length);
    expect(readFileSync(join(info.path, 'docs', 'faq.md'), 'utf8')).toMatch(/^# /);

    writeFileSync(join(info.path, 'data', 'customers.csv'), 'id\n1\n');
    expect(new Workspaces(join(dir, 'data'), memoryKv()).of('other').path).toBe(info.path);
    expect(readFileSync(join(info.path, 'data', 'customers.csv'), 'utf8')).toBe('id\n1\n');
  });

  it('remembers a chosen folder per workflow; other workflows keep Samples; an empty path goes back', () => {
    const folder = join(dir, 'q3');
    mkdirSync(folder);
    const ws = new Workspaces(join(dir, 'data'), memoryKv());
    expect(ws.choose('sales', folder)).toEqual({ path: folder, isDefault: false });
    expect(ws.of('sales')).toEqual({ path: folder, isDefault: false });
    expect(ws.of('other').isDefault).toBe(true);
    expect(ws.choose('sales', '   ').isDefault).toBe(true);
  });

  it('refuses a missing folder, a file, a relative path and an empty one, each saying what was typed', () => {
    writeFileSync(join(dir, 'notes.txt'), 'x');
    expect(() => checkWorkspaceFolder(join(dir, 'nope'))).toThrow(`The folder "${join(dir, 'nope')}" does not exist.`);
    expect(() => checkWorkspaceFolder(join(dir, 'notes.txt'))).toThrow('is a file, not a folder');
    expect(() => checkWorkspaceFolder('data/q3')).toThrow('must be an absolute path');
    expect(() => checkWorkspaceFolder('')).toThrow('Type the path of a folder');
    // A dangling symlink is a folder that does not exist.
    symlinkSync(join(dir, 'gone'), join(dir, 'link'));
    expect(() => checkWorkspaceFolder(join(dir, 'link'))).toThrow('does not exist');
  });

  it('reads ~ as the home folder, as a shell does', () => {
    expect(checkWorkspaceFolder('~')).toBe(realpathSync(homedir()));
  });

  it('stores a symlinked folder as the real folder it points at', () => {
    mkdirSync(join(dir, 'real'));
    symlinkSync(join(dir, 'real'), join(dir, 'alias'));
    expect(checkWorkspaceFolder(join(dir, 'alias'))).toBe(join(dir, 'real'));
  });

  it('says at run start that a remembered folder has gone, instead of running somewhere else', () => {
    const folder = join(dir, 'moved');
    mkdirSync(folder);
    const ws = new Workspaces(join(dir, 'data'), memoryKv());
    ws.choose('wf', folder);
    rmSync(folder, { recursive: true });
    expect(() => ws.forRun('wf')).toThrow(/cannot be used: The folder ".*moved" does not exist\. Choose another folder with the Workspace button/);
  });
});
