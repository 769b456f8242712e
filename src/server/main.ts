/**
 * A runnable `awe serve` for `npm start`'s fallback (and until the CLI's `serve`
 * subcommand calls `startServer` itself):
 *   tsx src/server/main.ts [--port 8787] [--host 127.0.0.1] [--token T] [--data-dir DIR]
 */
import { parseArgs } from 'node:util';
import envPaths from 'env-paths';
import { createEngine } from '../engine/engine';
import { startServer } from './server';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.AWE_PORT ?? '8787' },
    host: { type: 'string', default: process.env.AWE_HOST ?? '127.0.0.1' },
    token: { type: 'string', default: process.env.AWE_TOKEN },
    'data-dir': { type: 'string', default: process.env.AWE_DATA_DIR },
    'static-dir': { type: 'string' },
  },
  strict: true,
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`--port must be a number from 0 to 65535, not "${values.port}".`);
  process.exit(2);
}

const dataDir = values['data-dir'] ?? envPaths('awe', { suffix: '' }).data;
const engine = createEngine({ dataDir, interactive: true, resumeOnOpen: true });
const server = await startServer({ engine, host: values.host, port, token: values.token, staticDir: values['static-dir'] });
const shown = server.token ? `${server.url}/?token=${encodeURIComponent(server.token)}` : server.url;
console.log(`AWE is serving at ${shown}  (API docs: ${server.url}/api/docs, data: ${dataDir})`);

const stop = async () => {
  await server.close();
  await engine.close();
  process.exit(0);
};
process.once('SIGINT', () => void stop());
process.once('SIGTERM', () => void stop());
