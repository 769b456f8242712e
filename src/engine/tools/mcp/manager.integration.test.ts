/**
 * The MCP client against real servers from node_modules: server-everything and
 * server-filesystem, run as child processes over stdio.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, realpath, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolError } from '../../errors';
import type { ToolContext, ToolSpec } from '../types';
import { McpManager } from './manager';

const require = createRequire(import.meta.url);
function serverBin(pkg: string): string {
  const manifest = require.resolve(`${pkg}/package.json`);
  const { bin } = require(manifest) as { bin: Record<string, string> };
  return path.join(path.dirname(manifest), Object.values(bin)[0]);
}
const everythingBin = serverBin('@modelcontextprotocol/server-everything');
const filesystemBin = serverBin('@modelcontextprotocol/server-filesystem');

function context(signal = new AbortController().signal): ToolContext {
  return {
    signal,
    log: () => {},
    idempotencyKey: 'run1:node1:1',
    runId: 'run1',
    nodeId: 'node1',
    workspaceDir: os.tmpdir(),
    artifacts: { save: () => Promise.reject(new Error('no artifacts in this test')) },
    reportUsage: () => {},
    requestApproval: () => Promise.reject(new Error('headless')),
    callTool: () => Promise.reject(new Error('no tools')),
  };
}
/** Validates input and output the way the engine does around `run`. */
async function call(tool: ToolSpec, raw: unknown, ctx = context()) {
  return tool.output.parse(await tool.run(tool.input.parse(raw), ctx));
}
const failure = async (p: Promise<unknown>): Promise<ToolError> => {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ToolError);
  return err as ToolError;
};
const find = (tools: ToolSpec[], name: string) => {
  const tool = tools.find((t) => t.name === name);
  if (!tool) throw new Error(`no tool ${name} among ${tools.map((t) => t.name).join(', ')}`);
  return tool;
};

let dataDir: string;
let filesDir: string;
let marker: string;
let manager: McpManager;
let tools: ToolSpec[];

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'awe-mcp-data-'));
  filesDir = await realpath(await mkdtemp(path.join(os.tmpdir(), 'awe-mcp-files-')));
  marker = path.join(dataDir, 'marker-server-ran');
  manager = new McpManager({ dataDir, backoffBaseMs: 100 });
  manager.importConfig(
    JSON.stringify({
      mcpServers: {
        everything: { command: process.execPath, args: [everythingBin, 'stdio'] },
        filesystem: { command: process.execPath, args: [filesystemBin, filesDir] },
        // Would leave a file behind if it were ever started.
        marker: { command: process.execPath, args: ['-e', `require('fs').writeFileSync(${JSON.stringify(marker)}, 'ran')`] },
      },
    }),
  );
});
afterAll(async () => {
  await manager?.close();
  await rm(dataDir, { recursive: true, force: true });
  await rm(filesDir, { recursive: true, force: true });
});

describe('McpManager with real servers', () => {
  it('starts nothing before approval', async () => {
    expect(manager.servers().map((s) => [s.name, s.status])).toEqual([
      ['everything', 'unapproved'],
      ['filesystem', 'unapproved'],
      ['marker', 'unapproved'],
    ]);
    expect(manager.servers()[0].commandLine).toContain(everythingBin);
    expect(await manager.tools()).toEqual([]);
    const err = await failure(manager.serverTools('marker'));
    expect(err.code).toBe('MCP_NOT_APPROVED');
    expect(err.message).toContain('-e');
    expect(existsSync(marker)).toBe(false);
  });

  it('lists the tools of approved servers as mcp.<server>.<tool> with schemas and effects', async () => {
    manager.approve('everything');
    manager.approve('filesystem');
    tools = await manager.tools();
    const echo = find(tools, 'mcp.everything.echo');
    expect(echo.source).toBe('everything');
    expect(echo.effects).toBe('read');
    expect(echo.inputJsonSchema).toMatchObject({ properties: { message: { type: 'string' } }, required: ['message'] });
    const write = find(tools, 'mcp.filesystem.write_file');
    expect(write.effects).toBe('write');
    expect(write.annotations).toMatchObject({ destructiveHint: true });
    expect(manager.servers().find((s) => s.name === 'everything')).toMatchObject({ approved: true, status: 'ready' });
    expect(manager.servers().find((s) => s.name === 'everything')!.tools).toContain('mcp.everything.echo');
    expect(existsSync(marker)).toBe(false);
  });

  it('calls echo', async () => {
    const out = await call(find(tools, 'mcp.everything.echo'), { message: 'hello from AWE' });
    expect(out.text).toContain('hello from AWE');
    expect(out.content[0]).toMatchObject({ type: 'text' });
  });

  it('writes and reads a file through server-filesystem', async () => {
    const target = path.join(filesDir, 'note.txt');
    await call(find(tools, 'mcp.filesystem.write_file'), { path: target, content: 'written over MCP' });
    expect(await readFile(target, 'utf8')).toBe('written over MCP');
    const out = await call(find(tools, 'mcp.filesystem.read_text_file'), { path: target });
    expect(out.text).toBe('written over MCP');
    expect(out.structuredContent).toEqual({ content: 'written over MCP' });
  });

  it('turns a tool result marked isError into a permanent error with its text', async () => {
    const outside = path.join(os.tmpdir(), 'definitely-not-allowed.txt');
    const err = await failure(call(find(tools, 'mcp.filesystem.read_text_file'), { path: outside }));
    expect(err).toMatchObject({ class: 'permanent', code: 'MCP_TOOL_ERROR' });
    expect(err.message).toMatch(/denied|outside|not allowed/i);
  });

  it('refuses input that violates the tool schema, naming the field', async () => {
    const echo = find(tools, 'mcp.everything.echo');
    const parsed = echo.input.safeParse({ message: 42 });
    expect(parsed.success).toBe(false);
    expect(parsed.error!.issues[0]).toMatchObject({ path: ['message'] });
    expect(parsed.error!.issues[0].message).toBe('must be string');
    const err = await failure(echo.run({ text: 'wrong field' }, context()));
    expect(err).toMatchObject({ class: 'permanent', code: 'INVALID_INPUT' });
    expect(err.message).toContain("field 'message': missing (required)");
  });

  it('cuts a slow call at the deadline with a transient TIMEOUT, and the server stays usable', async () => {
    // A second manager over the same data folder: approvals persist, and its calls get 1 s.
    const impatient = new McpManager({ dataDir, callTimeoutMs: 1000 });
    try {
      expect(impatient.servers().find((s) => s.name === 'everything')!.approved).toBe(true);
      const slowTools = await impatient.serverTools('everything');
      const err = await failure(call(find(slowTools, 'mcp.everything.trigger-long-running-operation'), { duration: 20, steps: 2 }));
      expect(err).toMatchObject({ class: 'transient', code: 'TIMEOUT' });
      expect((await call(find(slowTools, 'mcp.everything.echo'), { message: 'still here' })).text).toContain('still here');
    } finally {
      await impatient.close();
    }
  });

  it('retries a call whose server was killed under it on a restarted server, once, alone', async () => {
    const pidBefore = await manager.pid('everything');
    expect(pidBefore).toBeGreaterThan(0);
    const pending = call(find(tools, 'mcp.everything.trigger-long-running-operation'), { duration: 2, steps: 2 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    process.kill(pidBefore!, 'SIGKILL');
    // Killed from outside, not by the call: its retry alone on a fresh server succeeds.
    expect((await pending).text).toMatch(/completed/i);

    const out = await call(find(tools, 'mcp.everything.echo'), { message: 'after restart' });
    expect(out.text).toContain('after restart');
    const pidAfter = await manager.pid('everything');
    expect(pidAfter).toBeGreaterThan(0);
    expect(pidAfter).not.toBe(pidBefore);
    expect(manager.servers().find((s) => s.name === 'everything')!.status).toBe('ready');
  });

  it('names the command of a server that cannot start, and keeps the others', async () => {
    manager.importConfig(
      JSON.stringify({
        mcpServers: {
          ghost: { command: 'awe-no-such-mcp-server', args: ['--port', '9'] },
          crashy: { command: process.execPath, args: ['-e', "console.error('invalid API token for crashy'); process.exit(3)"] },
        },
      }),
    );
    manager.approve('ghost');
    manager.approve('crashy');
    const missing = await failure(manager.serverTools('ghost'));
    expect(missing.message).toContain("command 'awe-no-such-mcp-server' was not found");
    expect(missing.message).toContain('awe-no-such-mcp-server --port 9');
    const crashed = await failure(manager.serverTools('crashy'));
    expect(crashed.message).toContain("MCP server 'crashy' failed to start");
    expect(crashed.message).toContain('invalid API token for crashy');
    expect(manager.servers().find((s) => s.name === 'ghost')).toMatchObject({ status: 'error' });
    expect((await manager.tools()).map((t) => t.name)).toContain('mcp.everything.echo');
  });

  it('asks again when a server command changes', () => {
    const servers = manager.importConfig(JSON.stringify({ mcpServers: { everything: { command: process.execPath, args: [everythingBin, 'stdio', '--changed'] } } }));
    expect(servers.find((s) => s.name === 'everything')).toMatchObject({ approved: false, status: 'unapproved' });
    expect(manager.remove('ghost').map((s) => s.name)).not.toContain('ghost');
  });

  it('treats servers from a --mcp-config file as approved only with autoApprove', async () => {
    const file = path.join(dataDir, 'cli-servers.json');
    await writeFile(file, JSON.stringify({ mcpServers: { cli: { command: 'some-server', args: [] } } }));
    const otherData = path.join(dataDir, 'other');
    expect(new McpManager({ dataDir: otherData, configPath: file }).servers()).toMatchObject([{ name: 'cli', approved: false }]);
    expect(new McpManager({ dataDir: otherData, configPath: file, autoApprove: true }).servers()).toMatchObject([{ name: 'cli', approved: true, status: 'idle' }]);
  });
});
