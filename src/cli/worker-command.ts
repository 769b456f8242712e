/**
 * `awe worker --queue redis://HOST:PORT [--concurrency N] [--lock-ms MS] [--stalled-check-ms MS]
 * [--llm-base-url URL] [--llm-model NAME] [--metrics-port N]`: runs node executions handed out by
 * `awe run|serve --queue` until SIGTERM or SIGINT, then drains (finishes its active jobs, takes
 * no new ones). Each flag also comes from the environment (a flag wins): AWE_QUEUE_URL,
 * AWE_QUEUE_LOCK_MS, AWE_QUEUE_STALLED_CHECK_MS, OPENAI_BASE_URL, AWE_LLM_MODEL,
 * AWE_WORKER_METRICS_PORT; the LLM key
 * only from OPENAI_API_KEY (a key on the command line is visible to every user of the machine).
 * A short lock and stalled check shorten how long a dead worker's jobs wait before another takes them.
 * With a metrics port, `GET /metrics` (Prometheus, `awe_worker_*`) is served on 127.0.0.1 only — the
 * worker has no token to guard it with — and stays up while a drain finishes the active jobs.
 */
import { builtinTools, createLlmClient, llmConfigFromEnv, tracingFromEnv, type ToolSpec } from '../engine';
import { QueueWorker, TaskTracer, WorkerMetrics } from '../engine/queue';
import type { MetricsServer } from '../server/metrics-server';
import { CliError, EXIT, parsePositiveInt, type GlobalFlags } from './common';

export interface WorkerFlags extends GlobalFlags {
  concurrency?: string;
  /** How long a job's lock lasts without renewal (a dead worker holds its jobs this long). */
  'lock-ms'?: string;
  /** How often jobs whose worker died are looked for. */
  'stalled-check-ms'?: string;
  'llm-base-url'?: string;
  'llm-model'?: string;
  /** Serve `GET /metrics` on 127.0.0.1:N (0: a free port, printed). */
  'metrics-port'?: string;
}

/** A flag, else its environment variable (named in the error when it is not a whole number ≥ 1). */
const msOption = (flag: string | undefined, name: string, envVar: string): number | undefined =>
  flag !== undefined ? parsePositiveInt(flag, name) : parsePositiveInt(process.env[envVar]?.trim() || undefined, envVar);

/** --metrics-port, else AWE_WORKER_METRICS_PORT: a port 0–65535, or undefined for no listener. */
function metricsPortOption(flag: string | undefined): number | undefined {
  const [raw, name] = flag !== undefined ? [flag, '--metrics-port'] : [process.env.AWE_WORKER_METRICS_PORT?.trim() || undefined, 'AWE_WORKER_METRICS_PORT'];
  if (raw === undefined) return undefined;
  const port = /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!(port >= 0 && port <= 65535)) throw new CliError(`${name} expects a port 0–65535, got "${raw}"`);
  return port;
}

export async function workerCommand(_args: string[], flags: WorkerFlags): Promise<number> {
  const url = flags.queue || process.env.AWE_QUEUE_URL || undefined;
  if (!url) throw new CliError('awe worker needs --queue redis://HOST:PORT (or AWE_QUEUE_URL)');
  if (!/^(rediss?:\/\/|unix:\/\/)/.test(url)) throw new CliError(`--queue expects redis://HOST:PORT or unix:///path/to/redis.sock, got "${url}"`);
  const concurrency = parsePositiveInt(flags.concurrency, '--concurrency') ?? 4;
  const lockDurationMs = msOption(flags['lock-ms'], '--lock-ms', 'AWE_QUEUE_LOCK_MS');
  const stalledIntervalMs = msOption(flags['stalled-check-ms'], '--stalled-check-ms', 'AWE_QUEUE_STALLED_CHECK_MS');
  const baseUrl = flags['llm-base-url']?.trim();
  if (baseUrl !== undefined && !/^https?:\/\/\S+$/i.test(baseUrl)) throw new CliError(`--llm-base-url expects an http(s) URL such as http://localhost:11434/v1, got "${baseUrl}"`);
  const metricsPort = metricsPortOption(flags['metrics-port']);
  const tools = new Map<string, ToolSpec>(builtinTools().map((t) => [t.name, t]));
  const fromEnv = llmConfigFromEnv();
  const llmConfig = { ...fromEnv, ...(baseUrl ? { baseUrl } : {}), ...(flags['llm-model']?.trim() ? { model: flags['llm-model'].trim() } : {}) };
  const llm = llmConfig.apiKey || llmConfig.baseUrl ? createLlmClient({ ...llmConfig, apiKey: llmConfig.apiKey ?? 'none' }) : undefined;
  const tracing = tracingFromEnv();
  const metrics = metricsPort === undefined ? undefined : new WorkerMetrics(concurrency);
  let metricsServer: MetricsServer | undefined;
  if (metrics) {
    // Before taking any job: a port in use ends the command with nothing held.
    try {
      const { startMetricsServer } = await import('../server/metrics-server');
      metricsServer = await startMetricsServer(metrics, metricsPort!);
    } catch (err) {
      throw new CliError(`cannot serve metrics on 127.0.0.1:${metricsPort}: ${(err as Error).message}`, EXIT.failed);
    }
  }
  const worker = new QueueWorker({
    url,
    // The control plane sends each task's trace context; this worker exports to its own OTEL_* endpoint.
    ...(tracing ? { tracer: new TaskTracer(tracing) } : {}),
    concurrency,
    tools,
    llm,
    lockDurationMs,
    stalledIntervalMs,
    metrics,
  });
  try {
    await worker.start();
  } catch (err) {
    await worker.drain().catch(() => undefined);
    await metricsServer?.close();
    throw new CliError(`cannot reach the queue at ${url}: ${(err as Error).message}`, EXIT.failed);
  }
  const lock = `lock ${lockDurationMs ?? 'default'} ms, stalled check ${stalledIntervalMs ?? 'default'} ms`;
  const model = llm ? `, LLM ${llm.model}${llmConfig.baseUrl ? ` at ${llmConfig.baseUrl}` : ''}` : '';
  if (metricsServer) process.stdout.write(`[awe worker] Prometheus metrics at ${metricsServer.url} (127.0.0.1 only, no token)\n`);
  process.stdout.write(`[awe worker] ${worker.id} taking jobs from queue "${worker.queueName}" at ${url} (concurrency ${concurrency}, ${lock}${model}); SIGTERM drains\n`);
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
  // Up until the drain ends, so a scrape can watch the last jobs finish.
  await metricsServer?.close();
  process.stdout.write('[awe worker] drained; bye\n');
  return EXIT.ok;
}
