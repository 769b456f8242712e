/**
 * The MCP counters against a real stdio MCP server that dies (tests/fixtures/mcp/crash-tool-server.mjs,
 * whose `crash` tool exits the process mid-call): awe_mcp_server_restarts_total and
 * awe_mcp_call_failures_total, read through a Prometheus text parser, move by exactly what
 * happened — counted against the server's own record of its starts (one pid per start).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { afterEach, describe, expect, it } from 'vitest';
import { createEngine, type LocalEngine } from '../engine';

const SERVER = join(__dirname, '../../../tests/fixtures/mcp/crash-tool-server.mjs');

let dir: string;
let engine: LocalEngine | undefined;
afterEach(async () => {
  await engine?.close();
  engine = undefined;
  rmSync(dir, { recursive: true, force: true });
});

/** A counter's value for `server`, parsed from the engine's /metrics text; 0 when it has no sample yet. */
async function counter(name: string, server: string): Promise<number> {
  const families = parsePrometheusTextFormat((await engine!.metricsText!()).text);
  const family = families.find((f) => f.name === name);
  expect(family?.type, name).toBe('COUNTER');
  return Number(family!.metrics.find((m) => m.labels?.server === server)?.value ?? 0);
}

describe('MCP restart and call-failure counters', () => {
  it('count each restart of a crashed server and each failed call, exactly', async () => {
    dir = mkdtempSync(join(tmpdir(), 'awe-mcp-metrics-'));
    const pids = join(dir, 'pids.txt');
    const starts = () => readFileSync(pids, 'utf8').trim().split('\n').length;
    const config = join(dir, 'mcp.json');
    writeFileSync(config, JSON.stringify({ mcpServers: { crashy: { command: process.execPath, args: [SERVER, pids] } } }));
    engine = createEngine({ dataDir: join(dir, 'data'), mcpConfigPath: config, allow: ['mcp.crashy.*'] });
    await engine.listTools(); // the first start: not a restart
    expect(starts()).toBe(1);
    const moved = async () => ({ restarts: await counter('awe_mcp_server_restarts_total', 'crashy'), failures: await counter('awe_mcp_call_failures_total', 'crashy') });
    expect(await moved()).toEqual({ restarts: 0, failures: 0 });
    const run = (id: string, tool: string, inputs: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
      engine!.startRun(engine!.validate({ id, name: id, nodes: [{ id: 'call', kind: 'tool', tool, inputs, ...extra }], edges: [] }).workflow!).done;

    // The crash kills the server; the call is tried once more alone on a restarted server, which it kills too.
    const crashed = await run('crash', 'mcp.crashy.crash', { afterMs: 10 });
    expect(crashed.nodes.call.error).toMatchObject({ code: 'MCP_CRASHED_SERVER' });
    expect(starts()).toBe(2);
    expect(await moved()).toEqual({ restarts: 1, failures: 1 });

    // The next call restarts the dead server and succeeds: a restart, no failure.
    const fine = await run('fine', 'mcp.crashy.slow', { ms: 1, tag: 'after' });
    expect(fine.nodes.call).toMatchObject({ status: 'succeeded', output: { text: 'slow after done' } });
    expect(starts()).toBe(3);
    expect(await moved()).toEqual({ restarts: 2, failures: 1 });

    // A call cut off by its node's deadline is a failed call; the server lives on, no restart.
    const late = await run('late', 'mcp.crashy.slow', { ms: 5_000, tag: 'late' }, { timeoutMs: 300 });
    expect(late.nodes.call.error).toMatchObject({ code: 'TIMEOUT' });
    expect(await moved()).toEqual({ restarts: 2, failures: 2 });
    expect(starts()).toBe(3);
  }, 60_000);
});
