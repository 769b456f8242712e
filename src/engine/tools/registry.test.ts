import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ToolRegistry, isAllowed, needsApproval } from './registry';
import type { ToolSpec } from './types';

const tool = (name: string, extra: Partial<ToolSpec> = {}): ToolSpec => ({
  name,
  title: name,
  description: `the ${name} tool`,
  version: '1',
  input: z.object({ q: z.string() }),
  output: z.object({ a: z.number() }),
  effects: 'pure',
  run: async () => ({ a: 1 }),
  ...extra,
});

describe('ToolRegistry', () => {
  it('registers, finds and lists tools in registration order', () => {
    const reg = new ToolRegistry();
    reg.register(tool('b.one'));
    reg.register(tool('a.two'));
    expect(reg.has('b.one')).toBe(true);
    expect(reg.get('a.two')?.name).toBe('a.two');
    expect(reg.get('nope')).toBeUndefined();
    expect(reg.list().map((t) => t.name)).toEqual(['b.one', 'a.two']);
  });

  it('refuses a second tool with the same name, naming both sources', () => {
    const reg = new ToolRegistry();
    reg.register(tool('files.read'));
    expect(() => reg.register(tool('files.read', { source: 'fs-server' }))).toThrow(/"files.read" is already registered \(from builtin\).*fs-server/);
  });

  it('drops every tool of one MCP server and keeps the rest', () => {
    const reg = new ToolRegistry();
    reg.register(tool('text.template'));
    reg.register(tool('mcp.fs.read', { source: 'fs' }));
    reg.register(tool('mcp.fs.write', { source: 'fs' }));
    reg.register(tool('mcp.web.get', { source: 'web' }));
    reg.unregisterSource('fs');
    expect(reg.list().map((t) => t.name)).toEqual(['text.template', 'mcp.web.get']);
    reg.register(tool('mcp.fs.read', { source: 'fs' }));
    expect(reg.has('mcp.fs.read')).toBe(true);
  });

  it('describes tools with JSON Schemas derived from zod, or the ones given', () => {
    const reg = new ToolRegistry();
    const derived = tool('x.derived');
    const given = tool('x.given', { inputJsonSchema: { type: 'object', title: 'given' }, source: 'srv', annotations: { readOnlyHint: true } });
    reg.register(derived);
    reg.register(given);
    const [a, b] = reg.infos();
    expect(a).toMatchObject({ name: 'x.derived', source: 'builtin', version: '1', effects: 'pure', needsApproval: false });
    expect(a.inputSchema).toMatchObject({ type: 'object', properties: { q: { type: 'string' } }, required: ['q'] });
    expect(a.outputSchema).toMatchObject({ properties: { a: { type: 'number' } } });
    expect(b.inputSchema).toEqual({ type: 'object', title: 'given' });
    expect(b.annotations).toEqual({ readOnlyHint: true });
    expect(reg.info(derived)).toBe(a); // cached: the catalog is read often
  });

  it('still describes a tool whose schema JSON Schema cannot express', () => {
    const reg = new ToolRegistry();
    const odd = tool('x.odd', { input: z.custom<Date>((v) => v instanceof Date), output: z.object({ n: z.bigint() }) });
    reg.register(odd);
    const info = reg.info(odd);
    expect(info.name).toBe('x.odd');
    expect(typeof info.inputSchema).toBe('object');
  });
});

describe('needsApproval', () => {
  it('asks for tools that write or reach the network', () => {
    expect(needsApproval(tool('a', { effects: 'write' }))).toBe(true);
    expect(needsApproval(tool('a', { effects: 'network' }))).toBe(true);
    expect(needsApproval(tool('a', { effects: 'read' }))).toBe(false);
    expect(needsApproval(tool('a', { effects: 'pure' }))).toBe(false);
  });

  it('trusts MCP tools only when they say read-only and not destructive', () => {
    expect(needsApproval(tool('m', { effects: 'read', source: 'srv' }))).toBe(true);
    expect(needsApproval(tool('m', { effects: 'read', source: 'srv', annotations: { readOnlyHint: true } }))).toBe(false);
    expect(needsApproval(tool('m', { effects: 'read', source: 'srv', annotations: { readOnlyHint: true, destructiveHint: true } }))).toBe(true);
    expect(needsApproval(tool('m', { effects: 'read', source: 'srv', annotations: { readOnlyHint: false } }))).toBe(true);
  });
});

describe('isAllowed', () => {
  it('matches exact names, prefix globs and *', () => {
    expect(isAllowed('http.fetch', ['http.fetch'])).toBe(true);
    expect(isAllowed('http.fetchx', ['http.fetch'])).toBe(false);
    expect(isAllowed('mcp.files.read_file', ['mcp.files.*'])).toBe(true);
    expect(isAllowed('mcp.filesystem.read', ['mcp.files.*'])).toBe(false);
    expect(isAllowed('mcp.files', ['mcp.files.*'])).toBe(false);
    expect(isAllowed('anything.at.all', ['*'])).toBe(true);
    expect(isAllowed('util.wait', [])).toBe(false);
  });
});
