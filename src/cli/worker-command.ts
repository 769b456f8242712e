/**
 * `awe worker --queue redis://HOST:PORT [--concurrency N]`: runs node executions handed out by
 * `awe run|serve --queue` until SIGTERM or SIGINT, then drains (finishes its active jobs, takes
 * no new ones). LLM calls use the environment's endpoint (OPENAI_API_KEY, OPENAI_BASE_URL,
 * AWE_LLM_MODEL). For tests and small fleets, AWE_QUEUE_LOCK_MS and AWE_QUEUE_STALLED_CHECK_MS
 * shorten how long a dead worker's jobs wait before another worker takes them.
 */
import { builtinTools, createLlmClient, llmConfigFromEnv, tracingFromEnv, type ToolSpec } from '../engine';
import { QueueWorker, TaskTracer } from '../engine/queue';
import { CliError, EXIT, parsePositiveInt, type GlobalFlags } from './common';

export interface WorkerFlags extends GlobalFlags {
  concurrency?: string;
}

export async function workerCommand(_args: string[], flags: WorkerFlags): Promise<number> {
  const url = flags.queue || process.env.AWE_QUEUE_URL || undefined;
  if (!url) throw new CliError('awe worker needs --queue redis://HOST:PORT (or AWE_QUEUE_URL)');
  if (!/^(rediss?:\/\/|unix:\/\/)/.test(url)) throw new CliError(`--queue expects redis://HOST:PORT or unix:///path/to/redis.sock, got "${url}"`);
  const concurrency = parsePositiveInt(flags.concurrency, '--concurrency') ?? 4;
  const tools = new Map<string, ToolSpec>(builtinTools().map((t) => [t.name, t]));
  const llmEnv = llmConfigFromEnv();
  const llm = llmEnv.apiKey || llmEnv.baseUrl ? createLlmClient({ ...llmEnv, apiKey: llmEnv.apiKey ?? 'none' }) : undefined;
  const tracing = tracingFromEnv();
  const worker = new QueueWorker({
    url,
    // The control plane sends each task's trace context; this worker exports to its own OTEL_* endpoint.
    ...(tracing ? { tracer: new TaskTracer(tracing) } : {}),
    concurrency,
    tools,
    llm,
    lockDurationMs: envMs('AWE_QUEUE_LOCK_MS'),
    stalledIntervalMs: envMs('AWE_QUEUE_STALLED_CHECK_MS'),
  });
  try {
    await worker.start();
  } catch (err) {
    await worker.drain().catch(() => undefined);
    throw new CliError(`cannot reach the queue at ${url}: ${(err as Error).message}`, EXIT.failed);
  }
  process.stdout.write(`[awe worker] ${worker.id} taking jobs from queue "${worker.queueName}" at ${url} (concurrency ${concurrency}); SIGTERM drains\n`);
  await new Promise<void>((resolve) => {
    const stop = (signal: NodeJS.Signals) => {
      process.stdout.write(`[awe worker] ${signal}: draining (finishing active jobs, taking no new ones)\n`);
      // A second signal while draining ends at once; the jobs it held are redelivered to another worker.
      process.once('SIGINT', () => process.exit(130));
      process.once('SIGTERM', () => process.exit(143));
      worker.drain().then(resolve, resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  process.stdout.write('[awe worker] drained; bye\n');
  return EXIT.ok;
}

function envMs(name: string): number | undefined {
  const n = Number(process.env[name]);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}
