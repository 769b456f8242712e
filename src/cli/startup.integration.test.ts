/**
 * What each command loads (issue 11): a command that only reads runs must not pay for the
 * planner, the LLM client, MCP, queue mode, tracing or metrics, and `awe run` loads queue
 * mode only with a queue. Checked on the built command started as a user starts it
 * (bin/awe.mjs), with a module-load hook (module-loads.fixture.mjs) and the build's sourcemaps,
 * which name the sources each loaded chunk of dist/cli holds.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { startReceiver } from '../engine/observe/otlp-receiver.testkit';
import { lastJson, ROOT, useCliSandbox } from './cli.testkit';

const sandbox = useCliSandbox();
const HOOK = pathToFileURL(join(ROOT, 'src/cli/module-loads.fixture.mjs')).href;

let started = 0;

/** The sources (`src/…`) and packages (`npm:name`) a command loaded, and its result. */
async function loads(args: string[], env: Record<string, string> = {}): Promise<{ sources: Set<string>; stdout: string }> {
  const file = join(sandbox.dir, `loads-${++started}.txt`);
  const result = await sandbox.start(args, { env: { ...env, NODE_OPTIONS: `--import=${HOOK}`, AWE_LOADS_FILE: file } }).result;
  expect(result.code, result.stderr).toBe(0);
  const sources = new Set<string>();
  for (const url of readFileSync(file, 'utf8').split('\n')) {
    if (!url.startsWith('file:')) continue;
    const path = fileURLToPath(url);
    const inDist = path.startsWith(join(ROOT, 'dist/cli/'));
    const names = inDist ? (JSON.parse(readFileSync(`${path}.map`, 'utf8')) as { sources: string[] }).sources : [path];
    for (const name of names) {
      const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(name)?.[1];
      sources.add(pkg ? `npm:${pkg}` : name.replace(/^.*?\/?src\//, 'src/'));
    }
  }
  return { sources, stdout: result.stdout };
}

const packages = (sources: Set<string>) => [...sources].filter((s) => s.startsWith('npm:')).sort();
const HEAVY = ['npm:zod', 'npm:openai', 'npm:@modelcontextprotocol/sdk', 'npm:bullmq', 'npm:ioredis', 'npm:@opentelemetry/api', 'npm:prom-client', 'npm:ajv', 'npm:jsonata'];

describe('what a command loads', () => {
  it('awe --help loads no engine', async () => {
    const { sources, stdout } = await loads(['--help']);
    expect(stdout).toContain('Usage: awe <command>');
    expect(packages(sources)).toEqual([]);
    expect([...sources].filter((s) => s.startsWith('src/engine/'))).toEqual([]);
  });

  it('awe runs and awe show read the store and load nothing that executes runs', async () => {
    const file = sandbox.write('tiny.awe.json', { id: 'tiny', name: 'Tiny', nodes: [{ id: 'a', kind: 'tool', tool: 'util.wait', inputs: { ms: 1 } }], edges: [] });
    const run = await loads(['run', file, '--json']);
    // Running does load the engine (the check can tell the two apart), but not queue mode.
    expect(run.sources).toContain('src/engine/engine.ts');
    expect(packages(run.sources)).not.toContain('npm:bullmq');
    expect(packages(run.sources)).not.toContain('npm:ioredis');
    const { runId } = lastJson(run.stdout) as { runId: string };

    for (const args of [['runs'], ['show', runId], ['show', runId, '--json']]) {
      const { sources, stdout } = await loads(args);
      expect(stdout).toContain(runId);
      expect(sources).toContain('src/engine/store/store.ts');
      expect(sources).not.toContain('src/engine/engine.ts');
      expect(packages(sources).filter((p) => HEAVY.includes(p)), args.join(' ')).toEqual([]);
    }
  });

  it('awe run loads the OTLP exporter only when an endpoint is configured, and then its spans arrive', async () => {
    const file = sandbox.write('traced.awe.json', { id: 'traced', name: 'Traced', nodes: [{ id: 'a', kind: 'tool', tool: 'util.wait', inputs: { ms: 1 } }], edges: [] });
    const EXPORTER = 'npm:@opentelemetry/exporter-trace-otlp-http';
    const off = await loads(['run', file, '--json'], { OTEL_EXPORTER_OTLP_ENDPOINT: '', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: '' });
    expect(packages(off.sources)).not.toContain(EXPORTER);

    const receiver = await startReceiver();
    try {
      const on = await loads(['run', file, '--json'], { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url });
      expect(packages(on.sources)).toContain(EXPORTER);
      // Sent before the command exited (the engine's close flushes): the run's spans are there.
      expect(receiver.spans.map((span) => span.name)).toContain('run Traced');
      expect(receiver.spans.length).toBeGreaterThan(1);
    } finally {
      await receiver.close();
    }
  });
});
