import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Artifact } from '../../../contract';
import { ToolError } from '../../errors';
import type { ToolContext, ToolSpec } from '../types';
import { artifactSaveTool } from './artifact-save';

/** Keeps saved artifacts in memory, the way the engine's sink records them on disk. */
function context() {
  const saved: { artifact: Artifact; bytes: Buffer }[] = [];
  const ctx: ToolContext = {
    signal: new AbortController().signal,
    log: () => {},
    idempotencyKey: 'run1:node1:1',
    runId: 'run1',
    nodeId: 'node1',
    workspaceDir: '/nonexistent',
    artifacts: {
      async save(name, content, mime) {
        const bytes = Buffer.from(content);
        const artifact: Artifact = {
          id: `a${saved.length + 1}`,
          runId: 'run1',
          nodeId: 'node1',
          name,
          mime: mime ?? 'application/octet-stream',
          size: bytes.byteLength,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          createdAt: 0,
        };
        saved.push({ artifact, bytes });
        return artifact;
      },
    },
    reportUsage: () => {},
    requestApproval: () => Promise.reject(new Error('headless')),
    callTool: () => Promise.reject(new Error('no tools')),
  };
  return { ctx, saved };
}
const call = async (tool: ToolSpec, raw: unknown, ctx: ToolContext) => tool.output.parse(await tool.run(tool.input.parse(raw), ctx));

describe('artifact.save', () => {
  it('saves Markdown with its MIME type and reports size and hash', async () => {
    const { ctx, saved } = context();
    const out = await call(artifactSaveTool, { name: 'report.md', content: '# Findings\n', format: 'markdown' }, ctx);
    expect(out).toEqual({
      artifactId: 'a1',
      name: 'report.md',
      mime: 'text/markdown',
      size: 11,
      sha256: createHash('sha256').update('# Findings\n').digest('hex'),
    });
    expect(saved[0].bytes.toString()).toBe('# Findings\n');
  });

  it('writes JSON values as JSON and adds the missing extension', async () => {
    const { ctx, saved } = context();
    const out = await call(artifactSaveTool, { name: 'summary', content: { total: 3 } }, ctx);
    expect(out).toMatchObject({ name: 'summary.json', mime: 'application/json' });
    expect(JSON.parse(saved[0].bytes.toString())).toEqual({ total: 3 });
  });

  it('turns rows into CSV and decodes base64 bytes', async () => {
    const { ctx, saved } = context();
    await call(artifactSaveTool, { name: 'rows.csv', content: [{ a: 1, b: 'x' }, { a: 2, b: 'y' }], format: 'csv' }, ctx);
    expect(saved[0].bytes.toString().trim().split(/\r?\n/)).toEqual(['a,b', '1,x', '2,y']);
    await call(artifactSaveTool, { name: 'pixel.png', content: Buffer.from([137, 80, 78, 71]).toString('base64'), format: 'bytes', mime: 'image/png' }, ctx);
    expect([...saved[1].bytes]).toEqual([137, 80, 78, 71]);
    expect(saved[1].artifact.mime).toBe('image/png');
  });

  it('refuses invalid JSON text and names with folders', async () => {
    const { ctx, saved } = context();
    const bad = await call(artifactSaveTool, { name: 'x.json', content: '{oops', format: 'json' }, ctx).catch((e: unknown) => e as ToolError);
    expect(bad).toMatchObject({ class: 'permanent', code: 'BAD_CONTENT' });
    const path = await call(artifactSaveTool, { name: '../evil.txt', content: 'x' }, ctx).catch((e: unknown) => e as ToolError);
    expect(path).toMatchObject({ class: 'permanent', code: 'BAD_NAME' });
    expect(saved).toHaveLength(0);
  });
});
