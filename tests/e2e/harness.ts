/**
 * Starting the real parts the end-to-end tests and the UI benchmark drive: the built UI,
 * `awe serve` on a fresh data folder, and headless Chromium. No test-runner imports, so
 * `bench/ui.ts` uses it too.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { buildCli, cliIsCurrent } from '../../scripts/build-cli.mjs';

export const root = resolve(import.meta.dirname, '..', '..');

/** The Chromium the tests drive; scripts/e2e.mjs sets AWE_CHROMIUM to the one it found. */
export const chromiumPath = process.env.AWE_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = existsSync(chromiumPath);

/**
 * The project pins Node 22 in node_modules (better-sqlite3 is built for it); the system
 * node may be older, so the server runs on the pinned one when it is there.
 */
export function nodeBinary(): string {
  const pinned = join(root, 'node_modules', 'node', 'bin', 'node');
  return existsSync(pinned) ? pinned : process.execPath;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(path));
    else if (!entry.name.includes('.test.')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/**
 * `npm test` builds the UI before the e2e tests; a lone run builds it when out/renderer is
 * missing or older than the renderer sources, so tests never drive a stale UI.
 */
export function ensureRendererBuilt(): void {
  const index = join(root, 'out', 'renderer', 'index.html');
  const sources = [join(root, 'src', 'renderer'), join(root, 'src', 'contract')];
  if (existsSync(index) && statSync(index).mtimeMs >= Math.max(...sources.map(newestMtime))) return;
  console.log('== building the UI (out/renderer is missing or older than src/renderer)');
  const build = spawnSync(nodeBinary(), [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'vite.renderer.config.mts', '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
    // Vitest sets NODE_ENV=test, and Vite honours it: React's development build (several
    // times slower) would be shipped to every e2e test and UI bench. Build what users get.
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (build.status !== 0) throw new Error('`vite build --config vite.renderer.config.mts` failed; see the output above');
}

export interface AweServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash, no token). */
  url: string;
  /** The token every API request and WebSocket must carry (the server makes one per start). */
  token: string;
  /** The page a person opens: `url` + `/?token=…`, as `awe serve` prints it. */
  appUrl: string;
  dataDir: string;
  /** JSON from a REST route of the server; throws with the server's message on a non-2xx answer. */
  api<T = any>(path: string, init?: { method?: string; body?: unknown }): Promise<T>;
  close(): Promise<void>;
}

const servers = new Map<ChildProcess, string>();
// A crashed test or bench process must not leave servers or data folders behind.
process.once('exit', () => {
  for (const [child, dataDir] of servers) {
    child.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});

/**
 * Starts `awe serve --port 0 [extraArgs]` on a fresh data folder, as a person starts it (bin/awe.mjs
 * running the compiled command, built here first when a source changed), and waits until /health answers.
 */
export async function startAweServer(extraArgs: string[] = []): Promise<AweServer> {
  // Built here rather than by bin/awe.mjs at start: the 30 s wait below is for serving, not building.
  if (!cliIsCurrent()) await buildCli({ quiet: true });
  const dataDir = mkdtempSync(join(tmpdir(), 'awe-e2e-'));
  const env: NodeJS.ProcessEnv = { ...process.env, AWE_DATA_DIR: dataDir };
  // Plans must come from the offline planner: no model, no MCP servers from the environment.
  for (const key of ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'AWE_LLM_MODEL', 'AWE_MCP_CONFIG']) delete env[key];
  const child = spawn(nodeBinary(), [join(root, 'bin', 'awe.mjs'), 'serve', '--port', '0', '--data-dir', dataDir, ...extraArgs], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  servers.set(child, dataDir);
  let output = '';
  const abandon = (err: unknown): never => {
    child.kill('SIGKILL');
    servers.delete(child);
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  };
  const appUrl = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`awe serve printed no URL within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /AWE is serving (http:\/\/[^\s/]+\/\?token=[\w%-]+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`awe serve exited with ${code} before serving:\n${output}`));
    });
  }).catch(abandon);
  const { origin: url, searchParams } = new URL(appUrl);
  const token = searchParams.get('token')!;

  const api = async <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
    const res = await fetch(url + path, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: { authorization: `Bearer ${token}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} → ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };

  for (let i = 0; ; i++) {
    try {
      if ((await api<{ ok: boolean }>('/health')).ok) break;
    } catch (err) {
      if (i >= 100) abandon(new Error(`awe serve at ${url} never became healthy: ${(err as Error).message}\n${output}`, { cause: err }));
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
    token,
    appUrl,
    dataDir,
    api,
    async close() {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
        await exited;
        clearTimeout(timer);
      }
      servers.delete(child);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-gpu', '--disable-dev-shm-usage'],
  });
}
