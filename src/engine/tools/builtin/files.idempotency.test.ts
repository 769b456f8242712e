/**
 * file.write is exactly-once per idempotency key: a resumed run calls it again with the same
 * key after a kill between the write and the engine's record of it. The kill windows are
 * reproduced by a real SIGKILLed child process and by the ledger states each window leaves.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolError } from '../../errors';
import { testToolContext } from '../tool-context.testkit';
import { AppliedKeys } from './applied-keys';
import { fileListTool, fileWriteTool } from './files';

let workspace: string;
beforeEach(async () => {
  workspace = await mkdtemp(path.join(os.tmpdir(), 'awe-file-once-'));
});
afterEach(() => rm(workspace, { recursive: true, force: true }));

const KEY = 'run1:append:1';
const write = async (input: Record<string, unknown>, idempotencyKey = KEY) =>
  fileWriteTool.output.parse(await fileWriteTool.run(fileWriteTool.input.parse(input), testToolContext({ workspaceDir: workspace, idempotencyKey })));
const log = () => readFile(path.join(workspace, 'log.txt'), 'utf8');

describe('file.write with the same idempotency key twice (a resume)', () => {
  it('appends once', async () => {
    await writeFile(path.join(workspace, 'log.txt'), 'start\n');
    expect(await write({ path: 'log.txt', content: 'line\n', append: true })).toEqual({ path: 'log.txt', size: 11 });
    expect(await write({ path: 'log.txt', content: 'line\n', append: true })).toEqual({ path: 'log.txt', size: 11, alreadyApplied: true });
    expect(await log()).toBe('start\nline\n');
  });

  it('does not overwrite again what happened to the file since', async () => {
    await write({ path: 'log.txt', content: 'first\n' });
    await appendFile(path.join(workspace, 'log.txt'), 'later node\n');
    expect((await write({ path: 'log.txt', content: 'first\n' })).alreadyApplied).toBe(true);
    expect(await log()).toBe('first\nlater node\n');
  });

  it('does not recreate a file deleted since the write was applied', async () => {
    await write({ path: 'out/report.md', content: '# R\n' });
    await rm(path.join(workspace, 'out/report.md'));
    expect((await write({ path: 'out/report.md', content: '# R\n' })).alreadyApplied).toBe(true);
    expect(existsSync(path.join(workspace, 'out/report.md'))).toBe(false);
  });

  it('applies writes under different keys, and a different write under the same key', async () => {
    await write({ path: 'log.txt', content: 'x\n', append: true }, 'run1:append:1');
    await write({ path: 'log.txt', content: 'x\n', append: true }, 'run1:append:2'); // a rerun: new generation
    await write({ path: 'log.txt', content: 'x\n', append: true }, 'run1:map:1/item0');
    await write({ path: 'log.txt', content: 'x\n', append: true }, 'run1:map:1/item1');
    await write({ path: 'log.txt', content: 'y\n', append: true }, 'run1:map:1/item1');
    expect(await log()).toBe('x\nx\nx\nx\ny\n');
  });
});

describe('kill windows', () => {
  it('killed after recording the intent, before writing: the resume appends once', async () => {
    await writeFile(path.join(workspace, 'log.txt'), 'start\n');
    const ledger = await AppliedKeys.of(workspace);
    await write({ path: 'log.txt', content: 'line\n', append: true }, 'probe'); // learn the record's shape
    const probe = (await ledger.get('probe'))!;
    await writeFile(path.join(workspace, 'log.txt'), 'start\n');
    await ledger.put({ ...probe, key: KEY, state: 'intent', result: undefined });
    expect(await write({ path: 'log.txt', content: 'line\n', append: true })).toEqual({ path: 'log.txt', size: 11 });
    expect(await log()).toBe('start\nline\n');
  });

  it('killed after writing, before recording it done: the resume sees the bytes and does not append again', async () => {
    await writeFile(path.join(workspace, 'log.txt'), 'start\n');
    await write({ path: 'log.txt', content: 'line\n', append: true });
    const ledger = await AppliedKeys.of(workspace);
    await ledger.put({ ...(await ledger.get(KEY))!, state: 'intent', result: undefined });
    await appendFile(path.join(workspace, 'log.txt'), 'other node\n');
    expect((await write({ path: 'log.txt', content: 'line\n', append: true })).alreadyApplied).toBe(true);
    expect(await log()).toBe('start\nline\nother node\n');
  });

  it('killed in the middle of an append: the resume writes only the missing bytes', async () => {
    await writeFile(path.join(workspace, 'log.txt'), 'start\n');
    const line = 'a longer line of text\n';
    await write({ path: 'log.txt', content: line, append: true });
    const ledger = await AppliedKeys.of(workspace);
    await ledger.put({ ...(await ledger.get(KEY))!, state: 'intent', result: undefined });
    await writeFile(path.join(workspace, 'log.txt'), `start\n${line.slice(0, 7)}`);
    expect(await write({ path: 'log.txt', content: line, append: true })).toEqual({ path: 'log.txt', size: 6 + line.length });
    expect(await log()).toBe(`start\n${line}`);
  });

  it.skipIf(process.platform === 'win32')('a real SIGKILL after the write, then the resume: the line is there once', { timeout: 60_000 }, async () => {
    await writeFile(path.join(workspace, 'log.txt'), 'start\n');
    const child = path.join(workspace, '..', `${path.basename(workspace)}-child.mts`);
    await writeFile(
      child,
      `import { fileWriteTool } from ${JSON.stringify(path.resolve(__dirname, 'files.ts'))};
       import { testToolContext } from ${JSON.stringify(path.resolve(__dirname, '../tool-context.testkit.ts'))};
       const ctx = testToolContext({ workspaceDir: process.argv[2], idempotencyKey: process.argv[3] });
       await fileWriteTool.run(fileWriteTool.input.parse({ path: 'log.txt', content: 'line\\n', append: true }), ctx);
       process.stdout.write('applied\\n');
       setInterval(() => {}, 1000); // the engine would now record the success: killed first
      `,
    );
    try {
      for (let attempt = 0; attempt < 1; attempt++) {
        const proc = spawn(process.execPath, ['--import', 'tsx', child, workspace, KEY], { stdio: ['ignore', 'pipe', 'inherit'] });
        await new Promise<void>((resolve, reject) => {
          proc.stdout.on('data', (chunk: Buffer) => {
            if (chunk.toString().includes('applied')) resolve();
          });
          proc.on('exit', (code) => reject(new Error(`child exited (${code}) before writing`)));
        });
        const exited = new Promise((resolve) => proc.on('exit', (_code, signal) => resolve(signal)));
        proc.kill('SIGKILL');
        expect(await exited).toBe('SIGKILL');
      }
      expect((await write({ path: 'log.txt', content: 'line\n', append: true })).alreadyApplied).toBe(true);
      expect(await log()).toBe('start\nline\n');
    } finally {
      await rm(child, { force: true });
    }
  });
});

describe('the .awe folder', () => {
  it('is hidden from file.list and refused to file.write', async () => {
    await write({ path: 'a.txt', content: 'a' });
    expect(existsSync(path.join(workspace, '.awe', 'applied'))).toBe(true);
    const listed = fileListTool.output.parse(await fileListTool.run(fileListTool.input.parse({ recursive: true }), testToolContext({ workspaceDir: workspace })));
    expect(listed.entries).toEqual([{ path: 'a.txt', type: 'file', size: 1 }]);
    const err = await write({ path: '.awe/applied/forged.json', content: '{}' }).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(ToolError);
    expect(err).toMatchObject({ code: 'RESERVED_PATH' });
  });
});
