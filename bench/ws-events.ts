/**
 * Benchmark: events delivered per second from the engine to a WebSocket client for a
 * 10,000-node run, with coalescing (one message per ~16 ms) and without (one message
 * per event), and how many messages each sent.
 *   npx tsx bench/ws-events.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WebSocket } from 'ws';
import { createEngine } from '../src/engine/engine';
import { startServer } from '../src/server/server';

const NODES = 10_000;

export interface WsEventsFigures {
  mode: 'coalesced' | 'per-event';
  events: number;
  messages: number;
  seconds: number;
  eventsPerSecond: number;
}

function wideWorkflow(nodes: number) {
  return {
    id: 'bench-wide',
    name: `Bench: ${nodes} independent nodes`,
    version: 1,
    settings: { concurrency: 256 },
    edges: [],
    nodes: Array.from({ length: nodes }, (_, i) => ({ id: `n${i}`, kind: 'tool', tool: 'text.template', inputs: { template: `node ${i}` } })),
  };
}

async function measure(mode: WsEventsFigures['mode']): Promise<WsEventsFigures> {
  const dataDir = mkdtempSync(join(tmpdir(), 'awe-bench-ws-'));
  const engine = createEngine({ dataDir });
  const server = await startServer({ engine, port: 0, staticDir: join(dataDir, 'no-ui'), eventBatchMs: mode === 'coalesced' ? 16 : 0 });
  const ws = new WebSocket(`${server.url.replace('http', 'ws')}/ws`);
  await new Promise<void>((ok, fail) => (ws.once('open', () => ok()), ws.once('error', fail)));
  try {
    let runId: string | undefined;
    let events = 0;
    let messages = 0;
    const started = performance.now();
    const finished = new Promise<number>((done, fail) => {
      ws.on('message', (data) => {
        const msg = JSON.parse(String(data));
        if (msg.kind === 'result' && !msg.ok) fail(new Error(msg.error.message));
        if (msg.kind === 'result' && msg.ok) runId = msg.result.runId;
        if (msg.kind !== 'events') return;
        messages++;
        events += msg.events.length;
        // The finishing event can arrive before the call's result: match any run.finished of the bench workflow.
        if (msg.events.some((e: { type: string; runId: string }) => e.type === 'run.finished' && (runId === undefined || e.runId === runId))) {
          done(performance.now());
        }
      });
    });
    ws.send(JSON.stringify({ kind: 'call', id: 1, command: 'runs.start', request: { workflow: wideWorkflow(NODES) } }));
    const ended = await finished;
    const seconds = (ended - started) / 1000;
    return { mode, events, messages, seconds, eventsPerSecond: events / seconds };
  } finally {
    ws.close();
    await server.close();
    await engine.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function benchWsEvents(): Promise<WsEventsFigures[]> {
  const coalesced = await measure('coalesced');
  const perEvent = await measure('per-event');
  console.log(`\nWebSocket event delivery, ${NODES.toLocaleString('en')}-node run`);
  for (const f of [coalesced, perEvent]) {
    console.log(
      `  ${f.mode.padEnd(10)} ${f.events.toLocaleString('en').padStart(8)} events in ${f.messages.toLocaleString('en').padStart(7)} messages, ` +
        `${f.seconds.toFixed(2)} s, ${Math.round(f.eventsPerSecond).toLocaleString('en')} events/s`,
    );
  }
  console.log(
    `  coalescing: ${(perEvent.messages / Math.max(1, coalesced.messages)).toFixed(0)}× fewer messages, ` +
      `${(coalesced.eventsPerSecond / perEvent.eventsPerSecond).toFixed(2)}× the delivery rate`,
  );
  return [coalesced, perEvent];
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  benchWsEvents().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
