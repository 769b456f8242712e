/**
 * End-to-end support: a real `awe serve` (real engine, SQLite store, fresh data folder)
 * per test file, one headless Chromium per file, a fresh browser context per test, and
 * page console errors turned into test failures. Used by every `*.e2e.test.ts`.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';

export const root = resolve(import.meta.dirname, '..', '..');

/** The Chromium the tests drive; scripts/e2e.mjs sets AWE_CHROMIUM to the one it found. */
export const chromiumPath = process.env.AWE_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = existsSync(chromiumPath);

/** Screenshots go to docs/screenshots only on request, so test runs never rewrite them. */
export const takeScreenshots = process.env.AWE_SCREENSHOTS === '1';

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
  });
  if (build.status !== 0) throw new Error('`vite build --config vite.renderer.config.mts` failed; see the output above');
}

export interface AweServer {
  /** e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  dataDir: string;
  /** JSON from a REST route of the server; throws with the server's message on a non-2xx answer. */
  api<T = any>(path: string, init?: { method?: string; body?: unknown }): Promise<T>;
  close(): Promise<void>;
}

const servers = new Set<ChildProcess>();
// A crashed test process must not leave servers behind.
process.once('exit', () => {
  for (const child of servers) child.kill('SIGKILL');
});

/** Starts `awe serve --port 0` on a fresh data folder and waits until /health answers. */
export async function startAweServer(): Promise<AweServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'awe-e2e-'));
  const env: NodeJS.ProcessEnv = { ...process.env, AWE_DATA_DIR: dataDir };
  // Plans must come from the offline planner: no model, no MCP servers from the environment.
  for (const key of ['OPENAI_API_KEY', 'OPENAI_BASE_URL', 'AWE_LLM_MODEL', 'AWE_MCP_CONFIG']) delete env[key];
  const child = spawn(nodeBinary(), ['--import', 'tsx', 'src/cli/index.ts', 'serve', '--port', '0', '--data-dir', dataDir], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  servers.add(child);
  let output = '';
  const url = await new Promise<string>((ok, fail) => {
    const timer = setTimeout(() => fail(new Error(`awe serve printed no URL within 30 s:\n${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /AWE is serving (http:\/\/[^\s/]+)/.exec(output);
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
  });

  const api = async <T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> => {
    const res = await fetch(url + path, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers: init.body === undefined ? undefined : { 'content-type': 'application/json' },
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
      if (i >= 100) throw new Error(`awe serve at ${url} never became healthy: ${(err as Error).message}\n${output}`, { cause: err });
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    url,
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

export interface AppPage {
  page: Page;
  context: BrowserContext;
  /** Console errors and uncaught exceptions seen so far. */
  errors: string[];
  /** Marks console errors matching `pattern` as expected in this test. */
  expectConsoleError(pattern: RegExp): void;
}

export interface E2e {
  readonly server: AweServer;
  readonly browser: Browser;
  /** The app in a fresh browser context (own storage, downloads accepted), loaded and connected. */
  openApp(opts?: { theme?: 'light' | 'dark' }): Promise<AppPage>;
}

/**
 * Registers the hooks of an e2e test file: server and browser for the file, contexts
 * closed after each test, and a test fails when its page logged an unexpected error.
 */
export function useE2e(): E2e {
  let server: AweServer | undefined;
  let browser: Browser | undefined;
  let open: { app: AppPage; allowed: RegExp[] }[] = [];

  beforeAll(async () => {
    if (!hasChromium) return;
    ensureRendererBuilt();
    [server, browser] = await Promise.all([startAweServer(), launchChromium()]);
  });

  afterEach(async () => {
    const pages = open;
    open = [];
    const unexpected = pages.flatMap(({ app, allowed }) => app.errors.filter((e) => !allowed.some((re) => re.test(e))));
    await Promise.all(pages.map(({ app }) => app.context.close()));
    if (unexpected.length) throw new Error(`the page logged unexpected errors:\n${unexpected.join('\n')}`);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  return {
    get server() {
      if (!server) throw new Error('the e2e server is not running (no Chromium?)');
      return server;
    },
    get browser() {
      if (!browser) throw new Error('no browser (no Chromium?)');
      return browser;
    },
    async openApp(opts = {}) {
      const context = await this.browser.newContext({ viewport: { width: 1440, height: 900 }, acceptDownloads: true });
      if (opts.theme) {
        const persisted = JSON.stringify({ theme: opts.theme });
        await context.addInitScript((value) => {
          if (!localStorage.getItem('awe.ui')) localStorage.setItem('awe.ui', value);
        }, persisted);
      }
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
      });
      page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
      const allowed: RegExp[] = [];
      const app: AppPage = { page, context, errors, expectConsoleError: (re) => void allowed.push(re) };
      open.push({ app, allowed });
      await page.goto(`${this.server.url}/`);
      // Connected: the palette lists the server's tools and no connection banner is up.
      await page.getByTestId('palette-item-text.template').waitFor();
      await page.getByTestId('connection-banner').waitFor({ state: 'detached' });
      return app;
    },
  };
}

/** The data-status of every node on the canvas, by node id. */
export async function nodeStatuses(page: Page): Promise<Record<string, string>> {
  return page.$$eval('.react-flow__node [data-node-id]', (els) =>
    Object.fromEntries(els.map((e) => [e.getAttribute('data-node-id')!, e.getAttribute('data-status')!])),
  );
}

/** Waits until every node on the canvas shows `status` (and there is at least one node). */
export async function waitForAllNodes(page: Page, status: string, timeout = 30_000): Promise<void> {
  await page
    .waitForFunction(
      (want) => {
        const els = [...document.querySelectorAll('.react-flow__node [data-node-id]')];
        return els.length > 0 && els.every((e) => e.getAttribute('data-status') === want);
      },
      status,
      { timeout },
    )
    .catch(async (err: Error) => {
      throw new Error(`not every node became ${status}: ${JSON.stringify(await nodeStatuses(page))} (${err.message.split('\n')[0]})`);
    });
}

/** The node's element on the canvas. */
export const nodeEl = (page: Page, id: string) => page.locator(`.react-flow__node [data-node-id="${id}"]`);

/** The run id of the watched run, from the newest entry of the server's run list. */
export async function latestRunId(server: AweServer): Promise<string> {
  const { runs } = await server.api<{ runs: { runId: string }[] }>('/api/runs?limit=1');
  if (!runs.length) throw new Error('the server has no runs');
  return runs[0].runId;
}

/**
 * Saves `docs/screenshots/<name>-light.png` and `-dark.png` of the page as it is now
 * (only with AWE_SCREENSHOTS=1), switching the theme with the app's own button and back.
 */
export async function screenshotBothThemes(page: Page, name: string): Promise<void> {
  if (!takeScreenshots) return;
  const dir = join(root, 'docs', 'screenshots');
  mkdirSync(dir, { recursive: true });
  const themeNow = async () => ((await page.evaluate(() => document.documentElement.dataset.theme)) === 'dark' ? 'dark' : 'light');
  const first = await themeNow();
  await page.screenshot({ path: join(dir, `${name}-${first}.png`) });
  await page.getByRole('button', { name: 'Toggle theme' }).click();
  const second = first === 'dark' ? 'light' : 'dark';
  await page.waitForFunction((t) => document.documentElement.dataset.theme === t, second);
  await page.screenshot({ path: join(dir, `${name}-${second}.png`) });
  await page.getByRole('button', { name: 'Toggle theme' }).click();
  await page.waitForFunction((t) => document.documentElement.dataset.theme === t, first);
}
