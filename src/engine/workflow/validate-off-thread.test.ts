import { describe, expect, it } from 'vitest';
import { distantChain, lattice } from '../../../bench/validate';
import { mcpToolSpec } from '../tools/mcp/tool-spec';
import { builtinTools } from '../tools/builtins';
import { ToolRegistry } from '../tools/registry';
import { validateOffThread } from './validate-off-thread';
import { validateWorkflow } from './validate';

const registry = new ToolRegistry();
for (const tool of builtinTools()) registry.register(tool);
// A tool that is not built in travels to the worker as its JSON Schema.
registry.register(mcpToolSpec('files', '1', { name: 'read', inputSchema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } }, () => Promise.reject(new Error('unused')), 1000));

describe('validateOffThread', () => {
  it('gives the same problems as validating in place, MCP tools included', async () => {
    const doc = lattice(400);
    (doc.nodes as unknown[]).push({ id: 'mcp', kind: 'tool', tool: 'mcp.files.read', inputs: { path: 7 } }, { id: 'typo', kind: 'tool', tool: 'text.templat', inputs: {} });
    const inPlace = validateWorkflow(doc, registry);
    const offThread = await validateOffThread(doc, registry, { always: true });
    expect(inPlace.problems.length).toBeGreaterThan(2);
    expect(offThread.problems).toEqual(inPlace.problems);
    expect(offThread.ok).toBe(false);
  });

  it('validates a large document while the event loop keeps running', async () => {
    const doc = distantChain(40_000);
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      const result = await validateOffThread(doc, registry);
      expect(result.ok).toBe(true);
    } finally {
      clearInterval(timer);
    }
    // In place, validation would hold the loop from start to end: no tick could run.
    expect(ticks).toBeGreaterThan(0);
  }, 120_000);

  it('stops a validation that exceeds its time bound with a clear error', async () => {
    const err = await validateOffThread(distantChain(40_000), registry, { timeoutMs: 1 }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'EngineError', code: 'bad-request' });
    expect((err as Error).message).toMatch(/validating the workflow took longer than 1 ms \(40000 nodes\); split it into smaller workflows/);
  });
});
