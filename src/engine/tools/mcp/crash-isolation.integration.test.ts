/**
 * A tool whose call kills its MCP server, run in parallel with neighbours on the same server
 * (a real stdio server built on the SDK's server API, testdata/crash-tool-server.mjs): the
 * crashing call fails naming the tool, the neighbours are retried on a fresh server and
 * succeed without spending an attempt.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Workflow } from '../../../contract';
import { createEngine, type LocalEngine } from '../../engine';
import { ToolError } from '../../errors';
import { testToolContext } from '../tool-context.testkit';
import type { ToolSpec } from '../types';
import { McpManager } from './manager';

const SERVER = join(__dirname, '../../../../tests/fixtures/mcp/crash-tool-server.mjs');

let dir: string;
let pidsFile: string;
const closers: (() => Promise<void>)[] = [];
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'awe-mcp-crash-'));
  pidsFile = join(dir, 'pids.txt');
});
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
  rmSync(dir, { recursive: true, force: true });
});
const starts = () => readFileSync(pidsFile, 'utf8').trim().split('\n').length;

const context = () => testToolContext({ idempotencyKey: 'run1:node1:1', runId: 'run1', nodeId: 'node1', workspaceDir: dir });
const find = (tools: ToolSpec[], name: string) => tools.find((t) => t.name === name)!;

describe('a tool that crashes its MCP server', () => {
  it('fails that call, naming the tool, while parallel calls on the same server succeed on a fresh server', async () => {
    const manager = new McpManager({ dataDir: dir, backoffBaseMs: 50 });
    closers.push(() => manager.close());
    manager.importConfig(JSON.stringify({ mcpServers: { tools: { command: process.execPath, args: [SERVER, pidsFile] } } }));
    manager.approve('tools');
    const tools = await manager.serverTools('tools');
    const slow = find(tools, 'mcp.tools.slow');
    const crash = find(tools, 'mcp.tools.crash');

    const calls = [
      crash.run({ afterMs: 300 }, context()),
      ...['1', '2', '3'].map((tag) => slow.run({ ms: 1_000, tag }, context())),
    ].map((p) => p.then((value) => ({ ok: true as const, value }), (error: unknown) => ({ ok: false as const, error })));
    const [crashed, ...neighbours] = await Promise.all(calls);

    expect(crashed.ok).toBe(false);
    const err = (crashed as { error: unknown }).error;
    expect(err).toBeInstanceOf(ToolError);
    expect(err).toMatchObject({ class: 'permanent', code: 'MCP_CRASHED_SERVER' });
    expect((err as Error).message).toContain("mcp.tools.crash made MCP server 'tools' exit");
    expect((err as Error).message).toContain('crash tool: exiting now');
    expect(neighbours.map((n) => (n.ok ? (n.value as { text: string }).text : String((n as { error: unknown }).error)))).toEqual([
      'slow 1 done',
      'slow 2 done',
      'slow 3 done',
    ]);
    // First server, the restart the neighbours were retried on, and the one restarted after the crash's lone retry (at most).
    expect(starts()).toBeGreaterThanOrEqual(2);

    // The server is usable afterwards.
    expect(((await slow.run({ ms: 10, tag: 'after' }, context())) as { text: string }).text).toBe('slow after done');
  }, 60_000);

  it('in a run: the neighbours of the crashing node succeed on their first attempt', async () => {
    const config = join(dir, 'mcp.json');
    writeFileSync(config, JSON.stringify({ mcpServers: { tools: { command: process.execPath, args: [SERVER, pidsFile] } } }));
    const engine: LocalEngine = createEngine({ dataDir: join(dir, 'data'), mcpConfigPath: config, allow: ['mcp.tools.*'] });
    closers.push(() => engine.close());
    await engine.listTools();
    const workflow = Workflow.parse({
      id: 'crash-and-neighbours',
      name: 'Crash and neighbours',
      nodes: [
        { id: 'crash', kind: 'tool', tool: 'mcp.tools.crash', inputs: { afterMs: 300 } },
        ...['a', 'b', 'c'].map((id) => ({ id, kind: 'tool', tool: 'mcp.tools.slow', inputs: { ms: 1_000, tag: id } })),
      ],
      edges: [],
    });
    const view = await engine.startRun(workflow).done;
    expect(view.status).toBe('failed');
    expect(view.deadLetters).toEqual(['crash']);
    expect(view.nodes.crash.error).toMatchObject({ class: 'permanent', code: 'MCP_CRASHED_SERVER' });
    for (const id of ['a', 'b', 'c']) {
      expect(view.nodes[id]).toMatchObject({ status: 'succeeded', attempts: 1, output: { text: `slow ${id} done` } });
    }
  }, 60_000);
});
