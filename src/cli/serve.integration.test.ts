/**
 * `awe serve` as a real child process: it prints its URL, answers /health and the API,
 * and SIGTERM / SIGINT shut it down cleanly (exit 0, port closed, no MCP server left behind).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useCliSandbox, waitFor, waitForOutput } from './cli.testkit';

const cli = useCliSandbox();

const require = createRequire(import.meta.url);
const everythingPkg = require.resolve('@modelcontextprotocol/server-everything/package.json');
const everythingBin = join(dirname(everythingPkg), (JSON.parse(readFileSync(everythingPkg, 'utf8')) as { bin: Record<string, string> }).bin['mcp-server-everything']);

async function startServe(extra: string[] = []) {
  const serve = cli.start(['serve', '--port', '0', ...extra]);
  const [, url, token] = await waitForOutput(serve.output, /AWE is serving (http:\/\/127\.0\.0\.1:\d+)\/\?token=([\w-]+)\n/);
  return { serve, url, token, auth: { authorization: `Bearer ${token}` } };
}

/** Pids whose parent is `pid` (Linux /proc; empty elsewhere). */
function childPids(pid: number): number[] {
  if (!existsSync('/proc')) return [];
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // "pid (comm) state ppid …": comm may hold spaces, so read after its closing paren.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const refused = (url: string) =>
  fetch(`${url}/health`).then(
    () => false,
    () => true,
  );

describe('awe serve', () => {
  it('prints its URL with a fresh token, answers /health and the API with it, and exits 0 on SIGTERM with the port closed', async () => {
    const { serve, url, token, auth } = await startServe();
    expect((await fetch(`${url}/api/runs`)).status).toBe(401);
    expect((await fetch(`${url}/api/runs`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    const health = await fetch(`${url}/health`, { headers: auth });
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, name: 'awe' });
    const runs = await fetch(`${url}/api/runs`, { headers: auth });
    expect(runs.status).toBe(200);
    // The token is also in a file only the user can read, for scripts.
    const tokenFile = join(cli.dataDir, 'serve-token');
    expect(readFileSync(tokenFile, 'utf8').trim()).toBe(token);
    if (process.platform !== 'win32') expect(statSync(tokenFile).mode & 0o777).toBe(0o600);

    serve.child.kill('SIGTERM');
    const r = await serve.result;
    expect(r).toMatchObject({ code: 0, signal: null });
    expect(await refused(url)).toBe(true);
  });

  it('SIGINT stops it too and takes its MCP server down with it', async () => {
    const config = cli.write('mcp.json', { mcpServers: { everything: { command: process.execPath, args: [everythingBin, 'stdio'] } } });
    const { serve, url, auth } = await startServe(['--mcp-config', config]);
    // Listing tools starts the MCP server as a child of the serve process.
    const listed = await fetch(`${url}/api/commands/tools.list`, { method: 'POST', headers: { 'content-type': 'application/json', ...auth }, body: '{}' });
    expect(listed.status).toBe(200);
    const { tools } = (await listed.json()) as { tools: { name: string; source: string }[] };
    expect(tools).toContainEqual(expect.objectContaining({ name: 'mcp.everything.echo', source: 'everything' }));
    const mcpChildren = existsSync('/proc') ? await waitFor('the MCP server process', () => childPids(serve.child.pid!).filter(alive).at(0) ?? undefined) : undefined;

    serve.child.kill('SIGINT');
    const r = await serve.result;
    expect(r).toMatchObject({ code: 0, signal: null });
    expect(await refused(url)).toBe(true);
    if (mcpChildren !== undefined) await waitFor('the MCP server to exit', () => (alive(mcpChildren) ? undefined : true), 5_000);
  });

  it('names the problem for a bad --port and a port already taken', async () => {
    const bad = await cli.awe('serve', '--port', 'eighty');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--port expects 0–65535, got "eighty"/);

    const { serve, url, token } = await startServe();
    const port = new URL(url).port;
    const taken = await cli.awe('serve', '--port', port);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toMatch(new RegExp(`cannot start the server: .*${port}`));
    // The server that did not start left the running one's token file alone.
    expect(readFileSync(join(cli.dataDir, 'serve-token'), 'utf8').trim()).toBe(token);
    serve.child.kill('SIGTERM');
    expect((await serve.result).code).toBe(0);
  });
});
