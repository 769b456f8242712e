/**
 * file.read against hostile files: huge sparse files and absurd maxBytes, text cut inside a
 * multi-byte character, invalid UTF-8.
 */
import { mkdtemp, rm, truncate, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ToolError } from '../../errors';
import { invokeTool } from '../invoke';
import { testToolContext } from '../tool-context.testkit';
import { DEFAULT_FILE_MAX_BYTES, fileReadTool, MAX_FILE_READ_BYTES } from './files';

let workspace: string;
beforeEach(async () => {
  workspace = await mkdtemp(path.join(os.tmpdir(), 'awe-file-read-'));
});
afterEach(() => rm(workspace, { recursive: true, force: true }));

const ctx = () => testToolContext({ workspaceDir: workspace });
const read = async (input: Record<string, unknown>) => fileReadTool.output.parse(await fileReadTool.run(fileReadTool.input.parse(input), ctx()));

describe('file.read on a 3 GB sparse file', () => {
  const GB3 = 3 * 1024 ** 3;

  it('refuses maxBytes 2^31 as bad input instead of aborting the process', async () => {
    await writeFile(path.join(workspace, 'huge.bin'), '');
    await truncate(path.join(workspace, 'huge.bin'), GB3);
    const err = await invokeTool(fileReadTool, { path: 'huge.bin', maxBytes: 2 ** 31 }, ctx()).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ToolError);
    expect(err).toMatchObject({ class: 'permanent', code: 'SCHEMA_INPUT' });
    expect((err as Error).message).toContain('maxBytes');
  });

  it('streams at the default and at the largest maxBytes, saying it cut the file', async () => {
    await writeFile(path.join(workspace, 'huge.bin'), '');
    await truncate(path.join(workspace, 'huge.bin'), GB3);
    const small = await read({ path: 'huge.bin', encoding: 'base64' });
    expect(small).toMatchObject({ size: GB3, bytes: DEFAULT_FILE_MAX_BYTES, truncated: true });
    expect(small.note).toContain(`first ${DEFAULT_FILE_MAX_BYTES} of ${GB3} bytes`);
    const rssBefore = process.memoryUsage().rss;
    const big = await read({ path: 'huge.bin', maxBytes: MAX_FILE_READ_BYTES });
    expect(big).toMatchObject({ size: GB3, bytes: MAX_FILE_READ_BYTES, truncated: true });
    expect(big.text).toHaveLength(MAX_FILE_READ_BYTES);
    // The bytes read plus their text, not the 3 GB file.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(1024 ** 3);
  }, 60_000);
});

describe('file.read text', () => {
  it('cuts before a multi-byte character rather than through it', async () => {
    await writeFile(path.join(workspace, 'euro.txt'), 'ab€€'); // € is 3 bytes
    const out = await read({ path: 'euro.txt', maxBytes: 4 });
    expect(out).toMatchObject({ text: 'ab', bytes: 2, size: 8, truncated: true });
    expect(out.invalidUtf8).toBeUndefined();
  });

  it('says when bytes were not valid UTF-8 instead of replacing them silently', async () => {
    await writeFile(path.join(workspace, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a])); // "café\n" in Latin-1
    const c = ctx();
    const out = fileReadTool.output.parse(await fileReadTool.run(fileReadTool.input.parse({ path: 'latin1.txt' }), c));
    expect(out).toMatchObject({ text: 'caf\uFFFD\n', invalidUtf8: true, truncated: false });
    expect(c.logs.some((l) => l.level === 'warn' && l.message.includes('not valid UTF-8'))).toBe(true);
    expect((await read({ path: 'latin1.txt', encoding: 'base64' })).base64).toBe(Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0a]).toString('base64'));
  });

  it('a file of exactly maxBytes is not truncated', async () => {
    await writeFile(path.join(workspace, 'abc.txt'), 'abc');
    expect(await read({ path: 'abc.txt', maxBytes: 3 })).toEqual({ path: 'abc.txt', text: 'abc', size: 3, bytes: 3, truncated: false });
  });

  it('reports valid text as valid', async () => {
    await writeFile(path.join(workspace, 'ok.txt'), 'héllo ✓\n');
    expect(await read({ path: 'ok.txt' })).toEqual({ path: 'ok.txt', text: 'héllo ✓\n', size: 11, bytes: 11, truncated: false });
  });
});
