/**
 * LLM cost of remote calls: a worker has no Settings and so no price table; the usage its
 * LLM call reports comes back unpriced, and the control plane prices it with the prices in
 * its own Settings (matching a dated model name by prefix, as a local call does).
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { completion, startScriptedOpenAI } from '../../tests/support/scripted-openai';
import { useCliSandbox } from './cli.testkit';
import { HAVE_REDIS, openControlPlane, startRedis, startWorker } from './queue.testkit';

const cli = useCliSandbox();

describe.skipIf(!HAVE_REDIS)('queue mode: LLM cost', () => {
  it('prices the tokens a worker used with the control plane prices', { timeout: 120_000 }, async () => {
    const redis = await startRedis(join(cli.dir, 'redis'));
    const llm = await startScriptedOpenAI();
    llm.enqueue(completion({ content: 'hello', model: 'tiny-model-2026-01-01', promptTokens: 1_000, completionTokens: 500 }));
    const worker = await startWorker(cli, redis.url, ['--llm-base-url', llm.baseUrl, '--llm-model', 'tiny-model'], { OPENAI_API_KEY: 'test' });
    const { engine } = openControlPlane(join(cli.dir, 'data'), redis.url);
    try {
      // Dollars per million tokens.
      engine.updateSettings({ prices: { 'tiny-model': { prompt: 1, completion: 2 } } });
      const doc = { id: 'ask', name: 'Ask', version: 1, nodes: [{ id: 'ask', kind: 'tool', tool: 'llm.generate', inputs: { prompt: 'say hello' } }], edges: [] };
      const handle = engine.startRun(engine.validate(doc).workflow!);
      expect((await handle.done).status).toBe('succeeded');
      expect(worker.output()).toMatch(/llm\.generate started/);

      const usage = engine.events(handle.runId).flatMap((e) => (e.type === 'node.usage' ? [e] : []));
      expect(usage).toHaveLength(1);
      expect(usage[0].model).toBe('tiny-model-2026-01-01');
      expect(usage[0].usage).toEqual({ promptTokens: 1_000, completionTokens: 500, costUsd: (1_000 * 1 + 500 * 2) / 1_000_000 });
      expect(engine.runView(handle.runId)!.usage.costUsd).toBeCloseTo(0.002, 9);
    } finally {
      await engine.close().catch(() => undefined);
      worker.child.kill('SIGTERM');
      await worker.result;
      await redis.stop();
      await llm.close();
    }
  });
});
