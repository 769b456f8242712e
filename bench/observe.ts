/**
 * Tracing cost on the engine (issue 13): the same runs with tracing off (the default: no
 * provider, no event tap) and on (spans exported over OTLP/HTTP JSON to a receiver on
 * 127.0.0.1 that reads and counts them), side by side. Metrics are on in both (always are).
 *   npx tsx bench/observe.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace';
import { z } from 'zod';
import { Workflow } from '../src/contract';
import { createEngine } from '../src/engine/engine';
import type { ToolSpec } from '../src/engine/tools/types';

const noop: ToolSpec = { name: 'bench.noop', title: 'No-op', description: 'benchmarks only', version: '1', input: z.object({}).loose(), output: z.object({}).loose(), effects: 'pure', source: 'builtin', run: async () => ({}) };

const shapes = {
  'chain of 2,000': (n = 2_000) =>
    Workflow.parse({
      id: 'obs-chain', name: 'chain', nodes: Array.from({ length: n }, (_, i) => ({ id: `n${i}`, kind: 'tool', tool: 'bench.noop', inputs: {} })),
      edges: Array.from({ length: n - 1 }, (_, i) => ({ id: `e${i}`, source: `n${i}`, target: `n${i + 1}` })),
    }),
  'wide 5,000': (n = 5_000) =>
    Workflow.parse({ id: 'obs-wide', name: 'wide', settings: { concurrency: 256 }, nodes: Array.from({ length: n }, (_, i) => ({ id: `n${i}`, kind: 'tool', tool: 'bench.noop', inputs: {} })) }),
};

async function receiver() {
  let spans = 0;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const doc = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: unknown[] }[] }[] };
      for (const rs of doc.resourceSpans) for (const ss of rs.scopeSpans) spans += ss.spans.length;
      res.writeHead(200).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/traces`, spans: () => spans, close: () => new Promise<void>((r) => server.close(() => r())) };
}

async function once(workflow: Workflow, tracingUrl?: string): Promise<{ seconds: number; flushSeconds: number }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'awe-bench-observe-'));
  const engine = createEngine({
    dataDir,
    extraTools: [noop],
    globalConcurrency: 256,
    tracing: tracingUrl ? { spanProcessors: [new BatchSpanProcessor({ exporter: new OTLPTraceExporter({ url: tracingUrl }), maxQueueSize: 100_000, maxExportBatchSize: 2_048 })] } : false,
  });
  const start = performance.now();
  const view = await engine.startRun(workflow).done;
  const seconds = (performance.now() - start) / 1000;
  if (view.status !== 'succeeded') throw new Error(`bench run ${view.status}`);
  const closing = performance.now();
  await engine.close(); // exports what is still buffered
  rmSync(dataDir, { recursive: true, force: true });
  return { seconds, flushSeconds: (performance.now() - closing) / 1000 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

export async function benchObserve(rounds = 3): Promise<void> {
  console.log('\nTracing off vs on (OTLP/HTTP to a local receiver); median of', rounds, 'rounds');
  const rx = await receiver();
  try {
    for (const [name, make] of Object.entries(shapes)) {
      const wf = make();
      const off: number[] = [];
      const on: number[] = [];
      const flush: number[] = [];
      await once(wf); // warm-up
      for (let i = 0; i < rounds; i++) {
        off.push((await once(wf)).seconds);
        const traced = await once(wf, rx.url);
        on.push(traced.seconds);
        flush.push(traced.flushSeconds);
      }
      const n = wf.nodes.length;
      const [a, b] = [median(off), median(on)];
      console.log(
        `  ${name.padEnd(16)} off ${Math.round(n / a).toLocaleString('en').padStart(7)} nodes/s   on ${Math.round(n / b).toLocaleString('en').padStart(7)} nodes/s   on/off time ${(b / a).toFixed(2)}×   export at close ${(median(flush) * 1000).toFixed(0)} ms`,
      );
    }
    console.log(`  spans received by the local receiver: ${rx.spans().toLocaleString('en')}`);
  } finally {
    await rx.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  benchObserve().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
