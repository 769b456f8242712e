/**
 * TEST SUPPORT ONLY — the engine the server integration tests run against: the real
 * `createEngine` with a temp data folder when it is available, else the in-memory
 * double taught to write the one artifact the tests download.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngineDouble } from '../engine/engine-double.testkit';
import type { Engine } from '../engine/types';

export async function makeTestEngine(): Promise<Engine> {
  const dataDir = mkdtempSync(join(tmpdir(), 'awe-server-'));
  const enginePath = '../engine/engine';
  const real = (await import(/* @vite-ignore */ enginePath).catch(() => undefined)) as
    | { createEngine(o: { dataDir: string; interactive?: boolean }): Engine }
    | undefined;
  if (real?.createEngine) return real.createEngine({ dataDir, interactive: true });

  const engine = createEngineDouble(dataDir);
  const startRun = engine.startRun.bind(engine);
  engine.startRun = (workflow, options) => {
    const handle = startRun(workflow, options);
    if (workflow.nodes.some((n) => n.tool === 'artifact.save')) {
      const file = join(dataDir, `${handle.runId}-greeting.txt`);
      const text = `Hello ${String(options?.inputs?.name ?? '')}`;
      writeFileSync(file, text);
      const artifact = engine.addArtifact(handle.runId, 'greeting.txt', 'text/plain', file, Buffer.byteLength(text));
      engine.emit(handle.runId, [{ type: 'artifact.created', nodeId: 'save', artifact }]);
    }
    return handle;
  };
  return engine;
}
