/**
 * `awe serve`: the REST + WebSocket API and the UI in a browser, until SIGINT or SIGTERM.
 */
import { startServer } from '../server/server';
import { CliError, EXIT, openEngine, type GlobalFlags } from './common';

export interface ServeFlags extends GlobalFlags {
  port?: string;
  host?: string;
  token?: string;
}

export async function serveCommand(_args: string[], flags: ServeFlags): Promise<number> {
  const port = flags.port === undefined ? 8787 : flags.port.trim() === '' ? NaN : Number(flags.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port expects 0–65535, got "${flags.port}"`);
  const engine = openEngine(flags, { interactive: true, resumeOnOpen: true, adoptOrphans: true });
  let server;
  try {
    server = await startServer({ engine, host: flags.host, port, token: flags.token });
  } catch (err) {
    await engine.close();
    throw new CliError(`cannot start the server: ${(err as Error).message}`, EXIT.failed);
  }
  const url = server.token ? `${server.url}/?token=${encodeURIComponent(server.token)}` : server.url;
  process.stdout.write(`AWE is serving ${url}\n(Ctrl-C to stop)\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await server.close();
  await engine.close();
  return EXIT.ok;
}
