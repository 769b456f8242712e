/**
 * MCP server lifecycle with real processes: a server that hangs at start (never answers
 * `initialize`, ignores SIGTERM, has a child of its own) and one that crashes at start.
 * Servers start only when a workflow needs them, a hanging start fails that server alone,
 * and nothing they started outlives the `awe` command.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastJson, ROOT, useCliSandbox } from './cli.testkit';
import { McpManager } from '../engine/tools/mcp/manager';

const cli = useCliSandbox();
const TESTDATA = join(ROOT, 'tests/fixtures/mcp');

/** Alive = exists and is not a zombie (a dead child not yet reaped by whoever adopted it). */
function alive(pid: number): boolean {
  try {
    return !readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].startsWith('Z');
  } catch {
    return false;
  }
}

/** Dead within a few seconds: a SIGKILLed process on a loaded machine needs a moment to be scheduled out. */
async function expectDead(pid: number): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(alive(pid), `process ${pid} is still running`).toBe(false);
}

/** An --mcp-config with a hanging, a crashing and a working server; the pid files say whether each ever started. */
function servers() {
  const hangPids = join(cli.dir, 'hang.pids');
  const goodPids = join(cli.dir, 'good.pids');
  const config = cli.write('mcp.json', {
    mcpServers: {
      hang: { command: process.execPath, args: [join(TESTDATA, 'hanging-server.mjs'), hangPids] },
      crashy: { command: process.execPath, args: [join(TESTDATA, 'crashing-server.mjs')] },
      good: { command: process.execPath, args: [join(TESTDATA, 'crash-tool-server.mjs'), goodPids] },
    },
  });
  return { config, hangPids, goodPids };
}

const plain = { id: 'plain', name: 'No MCP', nodes: [{ id: 'wait', kind: 'tool', tool: 'util.wait', inputs: { ms: 10 } }], edges: [] };
const using = (tool: string, inputs: Record<string, unknown>) => ({ id: 'uses', name: 'Uses MCP', nodes: [{ id: 'call', kind: 'tool', tool, inputs }], edges: [] });

describe('MCP servers start lazily and never outlive the command', () => {
  it('a command whose workflow uses no MCP tool starts no server', async () => {
    const { config, hangPids, goodPids } = servers();
    const r = await cli.awe('run', cli.write('plain.awe.json', plain), '--mcp-config', config, '--json');
    expect(r.code).toBe(0);
    expect(lastJson(r.stdout).status).toBe('succeeded');
    expect(existsSync(hangPids)).toBe(false);
    expect(existsSync(goodPids)).toBe(false);
  }, 120_000);

  it('a workflow using one server starts that server only, and it is gone after the command', async () => {
    const { config, hangPids, goodPids } = servers();
    const r = await cli.awe('run', cli.write('uses.awe.json', using('mcp.good.slow', { ms: 10, tag: 'x' })), '--mcp-config', config, '--allow', 'mcp.good.*', '--json');
    expect(r.code).toBe(0);
    expect(lastJson(r.stdout).nodes.call.output.text).toBe('slow x done');
    expect(existsSync(hangPids)).toBe(false);
    const [pid] = readFileSync(goodPids, 'utf8').trim().split('\n').map(Number);
    await expectDead(pid);
  }, 120_000);

  it('a server that hangs at start fails alone within the start deadline, and neither it nor its child outlives the command', async () => {
    const { config, hangPids } = servers();
    const r = await cli.awe('run', cli.write('hang.awe.json', using('mcp.hang.anything', {})), '--mcp-config', config);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/MCP server 'hang' failed to start/);
    expect(r.stderr).toMatch(/unknown tool "mcp\.hang\.anything"/);
    const [server, child] = readFileSync(hangPids, 'utf8').trim().split(' ').map(Number);
    expect(server).toBeGreaterThan(0);
    expect(child).toBeGreaterThan(0);
    await expectDead(server);
    await expectDead(child);
  }, 120_000);

  it('a server that crashes at start is reported with its stderr; the command still answers', async () => {
    const { config } = servers();
    const r = await cli.awe('run', cli.write('crashy.awe.json', using('mcp.crashy.anything', {})), '--mcp-config', config);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/MCP server 'crashy' failed to start/);
    expect(r.stderr).toMatch(/cannot read its configuration/);
  }, 120_000);

  it('McpManager: listing all servers gives the working one, fails the hanging one fast, and close ends its process group', async () => {
    const { config, hangPids } = servers();
    const manager = new McpManager({ dataDir: cli.dataDir, configPath: config, autoApprove: true, startTimeoutMs: 8_000 });
    try {
      const started = Date.now();
      const names = (await manager.tools()).map((t) => t.name);
      // Bounded by the start deadline (8 s) plus slack for a loaded machine.
      expect(Date.now() - started).toBeLessThan(25_000);
      expect(names).toEqual(expect.arrayContaining(['mcp.good.slow', 'mcp.good.crash']));
      expect(names.some((n) => n.startsWith('mcp.hang.') || n.startsWith('mcp.crashy.'))).toBe(false);
      expect(manager.servers().find((s) => s.name === 'hang')).toMatchObject({ status: 'error' });
      // Known now: a second manager (the next command) starts nothing to know the good server's tools.
      const next = new McpManager({ dataDir: cli.dataDir, configPath: config, autoApprove: true });
      expect(next.knownToolsOfAll().map((t) => t.name)).toEqual(expect.arrayContaining(['mcp.good.slow']));
      await next.close();
    } finally {
      await manager.close();
    }
    const [server, child] = readFileSync(hangPids, 'utf8').trim().split(' ').map(Number);
    await expectDead(server);
    await expectDead(child);
  }, 120_000);
});
