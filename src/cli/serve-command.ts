/**
 * `awe serve`: the REST + WebSocket API and the UI in a browser, until SIGINT or SIGTERM.
 */
import { join } from 'node:path';
import { startServer } from '../server/server';
import { startMetricsServer, type MetricsServer } from '../server/metrics-server';
import { CliError, EXIT, openEngine, resolveDataDir, type GlobalFlags } from './common';

/** The token of the running server, in the data folder, readable by the user only. */
export const TOKEN_FILE = 'serve-token';

export interface ServeFlags extends GlobalFlags {
  port?: string;
  host?: string;
  token?: string;
  'allow-origin'?: string[];
  'metrics-port'?: string;
}

/** `--allow-origin` values, each exactly an origin (`http://10.0.0.7:8787`), as browsers send it. */
function allowedOrigins(values: string[] = []): string[] {
  return values.map((value) => {
    let origin = '';
    try {
      origin = new URL(value).origin;
    } catch {}
    if (!origin || origin === 'null' || origin !== value.replace(/\/$/, '')) {
      throw new CliError(`--allow-origin expects an origin such as http://10.0.0.7:8787 (scheme, host and port only), got "${value}"`);
    }
    return origin;
  });
}

export async function serveCommand(_args: string[], flags: ServeFlags): Promise<number> {
  const port = flags.port === undefined ? 8787 : flags.port.trim() === '' ? NaN : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port expects 0–65535, got "${flags.port}"`);
  const allowOrigins = allowedOrigins(flags['allow-origin']);
  const metricsPort = flags['metrics-port'] === undefined ? undefined : flags['metrics-port'].trim() === '' ? NaN : Number(flags['metrics-port']);
  if (metricsPort !== undefined && (!Number.isInteger(metricsPort) || metricsPort < 0 || metricsPort > 65535)) {
    throw new CliError(`--metrics-port expects 0–65535, got "${flags['metrics-port']}"`);
  }
  const engine = await openEngine(flags, { interactive: true, resumeOnOpen: true, adoptOrphans: true });
  let server;
  let metricsServer: MetricsServer | undefined;
  try {
    server = await startServer({ engine, host: flags.host, port, token: flags.token, allowOrigins, tokenFile: join(resolveDataDir(flags), TOKEN_FILE) });
    if (metricsPort !== undefined) metricsServer = await startMetricsServer(engine, metricsPort);
  } catch (err) {
    await server?.close();
    await engine.close();
    throw new CliError(`cannot start the server: ${(err as Error).message}`, EXIT.failed);
  }
  // The token is part of the URL to open; scripts send it as "Authorization: Bearer".
  process.stdout.write(`AWE is serving ${server.appUrl}\n(token also in ${join(resolveDataDir(flags), TOKEN_FILE)}; Ctrl-C to stop)\n`);
  if (metricsServer) process.stdout.write(`Prometheus metrics at ${metricsServer.url} (loopback, no token)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await metricsServer?.close();
  await server.close();
  await engine.close();
  return EXIT.ok;
}
