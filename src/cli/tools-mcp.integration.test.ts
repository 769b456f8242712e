/**
 * `awe tools` and `--mcp-config` against the real `@modelcontextprotocol/server-everything`
 * (stdio), started by the CLI child process.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lastJson, useCliSandbox } from './cli.testkit';

const cli = useCliSandbox();

const require = createRequire(import.meta.url);
const everythingPkg = require.resolve('@modelcontextprotocol/server-everything/package.json');
const everythingBin = join(dirname(everythingPkg), (JSON.parse(readFileSync(everythingPkg, 'utf8')) as { bin: Record<string, string> }).bin['mcp-server-everything']);
const everythingConfig = () => cli.write('mcp.json', { mcpServers: { everything: { command: process.execPath, args: [everythingBin, 'stdio'] } } });

interface ToolRow {
  name: string;
  title: string;
  effects: string;
  source: string;
}

describe('awe tools', () => {
  it('--json is one array of {name, title, effects, source} with the built-ins', async () => {
    const r = await cli.awe('tools', '--json');
    expect(r.code).toBe(0);
    const tools = lastJson(r.stdout) as ToolRow[];
    expect(r.stdout.trim().split('\n')).toHaveLength(1);
    for (const t of tools) expect(Object.keys(t).sort()).toEqual(['effects', 'name', 'source', 'title']);
    expect(tools).toEqual(
      expect.arrayContaining([
        { name: 'file.write', title: expect.any(String), effects: 'write', source: 'builtin' },
        { name: 'http.fetch', title: expect.any(String), effects: 'network', source: 'builtin' },
        { name: 'json.transform', title: expect.any(String), effects: 'pure', source: 'builtin' },
      ]),
    );
    expect(tools.some((t) => t.name.startsWith('mcp.'))).toBe(false);
  });

  it('lists the MCP server tools with --mcp-config, and with AWE_MCP_CONFIG', async () => {
    const config = everythingConfig();
    const r = await cli.awe('tools', '--json', '--mcp-config', config);
    expect(r.code).toBe(0);
    const tools = lastJson(r.stdout) as ToolRow[];
    expect(tools).toContainEqual({ name: 'mcp.everything.echo', title: expect.any(String), effects: expect.any(String), source: 'everything' });
    expect(tools.filter((t) => t.source === 'everything').length).toBeGreaterThan(3);
    expect(tools).toContainEqual(expect.objectContaining({ name: 'text.template', source: 'builtin' }));

    const fromEnv = await cli.start(['tools', '--json'], { env: { AWE_MCP_CONFIG: config } }).result;
    expect(fromEnv.code).toBe(0);
    expect((lastJson(fromEnv.stdout) as ToolRow[]).map((t) => t.name)).toEqual(tools.map((t) => t.name));

    const plain = await cli.awe('tools', '--mcp-config', config);
    expect(plain.stdout).toMatch(/^mcp\.everything\.echo\s+\S+\s+everything\s+/m);
  });

  it('runs a workflow that calls mcp.everything.echo', async () => {
    const file = cli.write('echo.awe.json', {
      id: 'echo',
      name: 'Echo through MCP',
      nodes: [
        { id: 'say', kind: 'tool', tool: 'mcp.everything.echo', inputs: { message: 'hello {{input.who}}' } },
        { id: 'shout', kind: 'tool', tool: 'json.transform', inputs: { data: '{{nodes.say.output}}', expression: '$uppercase(text)' } },
      ],
      edges: [{ id: 'e', source: 'say', target: 'shout' }],
      settings: { inputs: { who: { type: 'string' } } },
    });
    const r = await cli.awe('run', file, '--input', 'who=awe', '--mcp-config', everythingConfig(), '--json');
    expect(r.code).toBe(0);
    const result = lastJson(r.stdout);
    expect(result.status).toBe('succeeded');
    expect(result.nodes.say.output.text).toBe('Echo: hello awe');
    expect(result.nodes.shout.output).toEqual({ result: 'ECHO: HELLO AWE' });

    // Without the config the tool does not exist: exit 2 naming it.
    const without = await cli.awe('run', file, '--input', 'who=awe');
    expect(without.code).toBe(2);
    expect(without.stderr).toMatch(/unknown tool "mcp\.everything\.echo"/);
  });

  it('exits 2 naming the problem for a bad MCP config file', async () => {
    const notAnObject = await cli.awe('tools', '--mcp-config', cli.write('bad.json', { mcpServers: { everything: 5 } }));
    expect(notAnObject.code).toBe(2);
    expect(notAnObject.stderr).toMatch(/bad\.json.*server 'everything' must be an object with "command"/);

    const notJson = await cli.awe('tools', '--json', '--mcp-config', cli.write('broken.json', '{"mcpServers": {'));
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/broken\.json.*not valid JSON/);

    const missing = await cli.start(['run', cli.write('w.awe.json', { id: 'w', name: 'W', nodes: [{ id: 'a', kind: 'tool', tool: 'util.wait', inputs: { ms: 1 } }] })], {
      env: { AWE_MCP_CONFIG: join(cli.dir, 'nope.json') },
    }).result;
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/nope\.json.*does not exist/);
  });
});
